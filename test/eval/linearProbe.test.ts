import { describe, expect, it } from 'vitest';
import * as p from '../../dsl/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import { keyInput } from '../../dsl/random.ts';
import { flatten } from '../../dsl/tree.ts';
import { sentenceAt, sentenceCount } from '../../corpora/pcfg/index.ts';
import { linearProbe, probeData, probeFeatures, sentencesToTokens, terminalTokenIds } from '../../eval/index.ts';
import { encode } from '../../models/encoder.ts';
import type { EncoderParams } from '../../models/params.ts';
import { key } from '../../prng/key.ts';
import { tinyEncoderConfig, tinyGrammar, tinySentences, tinyView, tinyVocab } from './fixtures.ts';

const grammar = tinyGrammar();
const vocab = tinyVocab(grammar);
const wordIds = terminalTokenIds(grammar, vocab);
const L = 10;

/** Sentences labelled by a function of their first word (linearly decodable from the position-1 state). */
function task(n: number, seed: number) {
  const sentences = sentencesToTokens(tinySentences(grammar, n, seed), wordIds);
  const labels = Array.from({ length: sentenceCount(sentences) }, (_, s) => sentenceAt(sentences, s)[0]! % 2);
  return probeData(sentences, labels, vocab.specials, L);
}

const snapshot = (tree: unknown) => flatten<HostTensor>(tree, (x) => x instanceof HostTensor).leaves.map((l) => Uint8Array.from(new Uint8Array(l.data.buffer, l.data.byteOffset, l.data.byteLength)));

describe('linear probe (spec 5b7)', () => {
  const config = tinyEncoderConfig(vocab, { hidden: 16, heads: 2, ffn: 16, dropout: 0.1, attentionDropout: 0.1 });
  const view = tinyView(config, 5);

  it('builds [CLS] w.. [SEP] rows padded to L, truncating long sentences', () => {
    const d = probeData({ tokens: Int32Array.from([7, 8, 9, 10, 11, 12]), offsets: Int32Array.from([0, 2, 6]) }, [1, 0], { cls: 2, sep: 3, pad: 0 }, 5);
    expect(Array.from(d.inputIds)).toEqual([2, 7, 8, 3, 0, 2, 9, 10, 11, 3]);
    expect(Array.from(d.attentionMask)).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
    expect(Array.from(d.labels)).toEqual([1, 0]);
    expect(d.truncated).toBe(1);
  });

  it('features are the last-layer states at positions 1..L-2, position-major', () => {
    const d = task(3, 1);
    const batch = {
      inputIds: new HostTensor(['batch', 'seq'], [3, L], 'i32', d.inputIds),
      attentionMask: new HostTensor(['batch', 'seq'], [3, L], 'bool', d.attentionMask),
    };
    const k = keyInput(key(0));
    const feats = p.evaluate((e: unknown, b: { inputIds: p.Tensor<['batch', 'seq']>; attentionMask: p.Tensor<['batch', 'seq']> }, kk: p.Tensor<['key']>) => probeFeatures(e as EncoderParams, b, config, kk, 'eval', 0.1), view.encoder, batch, k);
    const last = p.evaluate((e: unknown, b: { inputIds: p.Tensor<['batch', 'seq']>; attentionMask: p.Tensor<['batch', 'seq']> }) => encode(e as EncoderParams, b, config).last, view.encoder, batch);
    const H = config.hidden;
    expect(feats.shape).toEqual([3, (L - 2) * H]);
    for (const [b, pos, j] of [[0, 1, 0], [1, 4, 5], [2, L - 2, H - 1]] as const) {
      expect(feats.data[b * (L - 2) * H + (pos - 1) * H + j]).toBe(last.data[(b * L + pos) * H + j]);
    }
  });

  it('learns a decodable task; the encoder parameters are bit-identical after training (property 5f-8)', () => {
    const train = task(240, 11);
    const valid = task(120, 12);
    const before = snapshot(view.encoder);
    const seen: number[] = [];
    const r = linearProbe({ params: view.encoder, config }, train, valid, {
      numLabels: 2, key: key(3), epochs: 12, batchSize: 64, lr: 5e-2, warmupSteps: 5, onEpoch: (e) => seen.push(e.epoch),
    });
    expect(snapshot(view.encoder)).toEqual(before);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(r.epochs[11]!.steps).toBe(12 * Math.ceil(240 / 64));
    expect(r.featureSize).toBe((L - 2) * 16);
    const majority = Math.max(...[0, 1].map((c) => valid.labels.filter((y) => y === c).length)) / valid.rows;
    expect(r.epochs[11]!.trainLoss).toBeLessThan(r.epochs[0]!.trainLoss);
    expect(majority).toBeLessThan(0.7);
    expect(r.finalAccuracy).toBeGreaterThan(Math.max(0.8, majority + 0.12));
    // same key, same run
    const again = linearProbe({ params: view.encoder, config }, train, valid, { numLabels: 2, key: key(3), epochs: 2, batchSize: 64, lr: 1e-2, warmupSteps: 5 });
    const again2 = linearProbe({ params: view.encoder, config }, train, valid, { numLabels: 2, key: key(3), epochs: 2, batchSize: 64, lr: 1e-2, warmupSteps: 5 });
    expect(again2.epochs).toEqual(again.epochs);
  });

  it('rejects labels outside [0, numLabels)', () => {
    const d = task(4, 2);
    expect(() => linearProbe({ params: view.encoder, config }, d, d, { numLabels: 1, key: key(0), epochs: 1 })).toThrow(/label 1 outside/);
  });
});
