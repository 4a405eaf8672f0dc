import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../dsl/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import { sentenceAt, sentenceCount, trueConditionals } from '../../corpora/pcfg/index.ts';
import { excessLoss, maskedWordProbsOfRows, scoreConditionals, sentencesToTokens, singleMaskRows, terminalTokenIds } from '../../eval/index.ts';
import type { MlmModelParams } from '../../models/params.ts';
import { mlmModelLogits } from '../../objectives/mlm.ts';
import { key } from '../../prng/key.ts';
import { uniform } from '../../prng/samplers.ts';
import { randomMlmParams } from '../models/checkpoint/fixtures.ts';
import { tinyEncoderConfig, tinyGrammar, tinySentences, tinyView, tinyVocab } from './fixtures.ts';

const grammar = tinyGrammar();
const T = grammar.terminals.length;
const sentences = tinySentences(grammar, 40);

/** p* of every (sentence, position), stacked as scoreConditionals wants q. */
function stackedPStar(): Float64Array {
  const parts: Float64Array[] = [];
  for (let s = 0; s < sentenceCount(sentences); s++) parts.push(Float64Array.from(trueConditionals(grammar, sentenceAt(sentences, s)).pStar));
  const out = new Float64Array(parts.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('single-mask loss scoring (spec 5b5, property 5f-5)', () => {
  const pStar = stackedPStar();

  it('a lookup table returning p* scores the optimal loss', () => {
    const r = scoreConditionals(grammar, sentences, pStar);
    expect(r.positions).toBe(sentences.tokens.length);
    expect(r.skippedPositions).toBe(0);
    expect(Math.abs(r.excessLoss)).toBeLessThan(T * 1e-12 * 10);
    expect(r.loss).toBeCloseTo(r.optimalLoss, 9);
    expect(r.optimalLoss).toBeGreaterThan(0.1);
    expect(r.optimalLoss).toBeLessThan(Math.log(T));
  });

  it('any other q scores at least the optimal loss (Gibbs), and mass off the words costs -ln(mass)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, mass, mix) => {
        // q = mass * ((1 - mix) p* + mix * random distribution): a different distribution, with 1 - mass off the words
        const u = uniform(key(seed), pStar.length);
        const q = new Float64Array(pStar.length);
        for (let row = 0; row < pStar.length / T; row++) {
          let z = 0;
          for (let v = 0; v < T; v++) z += u[row * T + v]!;
          for (let v = 0; v < T; v++) q[row * T + v] = mass * ((1 - mix) * pStar[row * T + v]! + (mix * u[row * T + v]!) / z);
        }
        const r = scoreConditionals(grammar, sentences, q);
        expect(r.excessLoss).toBeGreaterThanOrEqual(-Math.log(mass) - 1e-9);
        if (mix === 0) expect(r.excessLoss).toBeCloseTo(-Math.log(mass), 8);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects q of the wrong size', () => {
    expect(() => scoreConditionals(grammar, sentences, new Float64Array(pStar.length - T))).toThrow(/need/);
  });
});

describe('single-mask inputs', () => {
  it('are [CLS] w.. [SEP] padded, with one position masked per row', () => {
    const specials = { cls: 2, sep: 3, mask: 4, pad: 0 };
    const r = singleMaskRows({ tokens: Int32Array.from([10, 11, 12, 20]), offsets: Int32Array.from([0, 3, 4]) }, specials, 6);
    expect(r.rows).toBe(4);
    expect(Array.from(r.sentenceOffsets)).toEqual([0, 3, 4]);
    expect(Array.from(r.inputIds)).toEqual([
      2, 4, 11, 12, 3, 0,
      2, 10, 4, 12, 3, 0,
      2, 10, 11, 4, 3, 0,
      2, 4, 3, 0, 0, 0,
    ]);
    expect(Array.from(r.attentionMask)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(r.maskedAt)).toEqual([1, 2, 3, 1]);
    expect(() => singleMaskRows({ tokens: Int32Array.from([1, 1, 1, 1, 1]), offsets: Int32Array.from([0, 5]) }, specials, 6)).toThrow(/seqLen 6/);
  });
});

describe('model conditionals', () => {
  const vocab = tinyVocab(grammar);
  const config = tinyEncoderConfig(vocab);

  it('batched compiled q equals the float64 softmax of the full model at the masked position', () => {
    const view = { ...randomMlmParams(config, 4, 0.3), config };
    const wordIds = terminalTokenIds(grammar, vocab);
    const few = { tokens: sentences.tokens.subarray(0, sentences.offsets[5]!), offsets: sentences.offsets.subarray(0, 6) };
    const rows = singleMaskRows(sentencesToTokens(few, wordIds), vocab.specials, 12);
    const q = maskedWordProbsOfRows(view, rows, wordIds, { batchSize: 7 }); // 7 does not divide the rows: padding is exercised
    const L = 12;
    for (const row of [0, 3, rows.rows - 1]) {
      const ids = new HostTensor(['batch', 'seq'], [1, L], 'i32', rows.inputIds.subarray(row * L, (row + 1) * L));
      const mask = new HostTensor(['batch', 'seq'], [1, L], 'bool', rows.attentionMask.subarray(row * L, (row + 1) * L));
      const logits = p.evaluate((m: unknown, i: p.Tensor<['batch', 'seq']>, a: p.Tensor<['batch', 'seq']>) => mlmModelLogits(m as MlmModelParams, { inputIds: i, attentionMask: a }, config).logits,
        { encoder: view.encoder, mlmHead: view.mlmHead }, ids, mask);
      const V = config.vocabSize;
      const at = rows.maskedAt[row]!;
      const z = Array.from({ length: V }, (_, v) => logits.data[at * V + v]!);
      const m = Math.max(...z);
      const sum = z.reduce((s, x) => s + Math.exp(x - m), 0);
      wordIds.forEach((id, w) => expect(q[row * T + w]).toBeCloseTo(Math.exp(z[id]! - m) / sum, 6));
    }
  });

  it('a random-init model scores above the optimal loss, near ln |vocab| (it is close to uniform)', () => {
    const r = excessLoss(tinyView(config), { grammar, vocab, sentences, seqLen: 12 });
    expect(r.positions).toBe(sentences.tokens.length);
    expect(r.excessLoss).toBeGreaterThan(0.2);
    expect(r.loss).toBeGreaterThan(r.optimalLoss);
    expect(Math.abs(r.loss - Math.log(vocab.size))).toBeLessThan(0.05);
    expect(r.excessLossStdErr).toBeGreaterThan(0);
  });

  it('names a grammar word missing from the vocabulary', () => {
    const other = tinyVocab(tinyGrammar(2));
    expect(() => excessLoss(tinyView(config), { grammar, vocab: other, sentences, seqLen: 12 })).toThrow(/words are not one whole token of this vocabulary/);
  });
});
