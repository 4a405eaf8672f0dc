import { describe, expect, it } from 'vitest';
import { decodeOrThrow } from '../../../cli/options.ts';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { keyInput } from '../../../dsl/random.ts';
import type { MlmModelParams } from '../../../models/params.ts';
import { type MlmBatch, mlmObjective } from '../../../objectives/mlm.ts';
import { objectiveEntry } from '../../../objectives/registry.ts';
import { SctdError, type SctdExtra, type TokenDroppingOptions, dropCountFor, sctdObjective } from '../../../objectives/sctd/index.ts';
import { key } from '../../../prng/key.ts';
import { routingConfig } from './tinyRouting.ts';

const V = 12;
const VOCAB = { size: V, pad: 1, unk: 3, cls: 0, sep: 2, mask: 11 };
const config = routingConfig({ vocabSize: V });

/** Row 0 full (8 real tokens), row 1 with 4 real tokens and 4 pads. */
const batch = {
  inputIds: new HostTensor(['batch', 'seq'], [2, 8], 'i32', [0, 5, 11, 7, 4, 6, 8, 2, 0, 9, 10, 2, 1, 1, 1, 1]),
  attentionMask: new HostTensor(['batch', 'seq'], [2, 8], 'bool', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]),
  labels: new HostTensor(['batch', 'seq'], [2, 8], 'i32', [-100, -100, 4, -100, -100, -100, -100, -100, -100, 9, -100, -100, -100, -100, -100, -100]),
};

function metrics(options: Partial<TokenDroppingOptions>, mode: 'train' | 'eval', variant: string) {
  const objective = sctdObjective({ encoder: config, vocab: VOCAB, ...options });
  const { params, extra } = objective.init(key(2));
  return p.evaluate(
    (pr: MlmModelParams, ex: SctdExtra, b: MlmBatch, k: p.KeyTensor) => {
      const out = objective.loss(pr, ex, b, k, mode, variant);
      return { loss: out.loss, m: out.metrics };
    },
    params, extra, batch, keyInput(key(5)),
  );
}

describe('ScTD options and metrics', () => {
  it('dropped_fraction counts real tokens: floor(n·ρ) per row, specials kept; paddedLengthDropCompat: floor(T·ρ), ScTD keeping pinned pads, vanilla dropping them', () => {
    // row 0: 8 real, [CLS] [MASK] [SEP] protected -> floor(8·0.5) = 4 of its 5 normal tokens;
    // row 1: 4 real ([CLS] 9 10 [SEP]) -> floor(4·0.5) = 2 (9 and 10), pads fill the other 2 drops
    for (const preset of ['sctd', 'vanilla'] as const) expect(metrics({ preset }, 'train', 'drop').m.dropped_fraction!.item()).toBeCloseTo(6 / 12, 12);
    // the released rule: k = floor(8·0.5) = 4 in every row; ScTD's pads are pinned 1e4, so row 1
    // drops 9 and 10 and then [CLS] and [SEP] (position order among ties): all 4 real tokens
    expect(dropCountFor(8, 0.5)).toBe(4);
    expect(metrics({ paddedLengthDropCompat: true }, 'train', 'drop').m.dropped_fraction!.item()).toBeCloseTo(8 / 12, 12);
    expect(metrics({ preset: 'vanilla', paddedLengthDropCompat: true }, 'train', 'drop').m.dropped_fraction!.item()).toBeCloseTo(4 / 12, 12);
  });

  it('evaluation runs the plain encoder: the loss equals fairseq-normalised MLM on the same batch', () => {
    const sctd = metrics({}, 'eval', 'eval');
    const mlm = mlmObjective({ encoder: config, vocab: VOCAB, masking: { kind: 'exact', prob: 0.15 }, normalizer: 'tokens' });
    const params = sctdObjective({ encoder: config, vocab: VOCAB }).init(key(2)).params;
    const plain = p.evaluate((pr: MlmModelParams, b: MlmBatch, k: p.KeyTensor) => mlm.loss(pr, {}, b, k, 'eval', 'default').loss, params, batch, keyInput(key(5)));
    expect(sctd.loss.item()).toBe(plain.item());
    expect(sctd.m.dropped_fraction!.item()).toBe(0);
    expect(sctd.m.importance_mean!.item()).toBe(10);
  });

  it('bad options are SctdErrors naming the option and the value', () => {
    const make = (o: Partial<TokenDroppingOptions>) => () => sctdObjective({ encoder: config, vocab: VOCAB, ...o });
    expect(make({ dropRatio: 1 })).toThrow(/dropRatio must be in \[0, 1\), got 1/);
    expect(make({ emaDecay: -0.1 })).toThrow(/emaDecay/);
    expect(make({ alignEvery: 2.5 })).toThrow(/alignEvery/);
    expect(make({ klWeight: Number.NaN })).toThrow(/klWeight/);
    expect(make({ importanceInit: new Float32Array(3) })).toThrow(/importanceInit/);
    expect(make({ keepIds: [0, 12] })).toThrow(/keepIds must be token ids in \[0, 12\), got \[0, 12\]/);
    expect(make({ keepIds: [1], dropIds: [1] })).toThrow(/disjoint/);
    expect(make({ preset: 'hou' as never })).toThrow(SctdError);
    expect(make({ routeStart: 3 })).toThrow(/routeStart/);
    const codec = objectiveEntry('sctd').options;
    expect(decodeOrThrow(codec, { paddedLengthDropCompat: true }, 'objectiveOptions (sctd)')).toEqual({ paddedLengthDropCompat: true });
    expect(() => decodeOrThrow(codec, { paddedLengthDropCompat: 'yes' }, 'objectiveOptions (sctd)')).toThrow(/paddedLengthDropCompat/);
    const objective = sctdObjective({ encoder: config, vocab: VOCAB });
    const { params, extra } = objective.init(key(1));
    expect(() => p.evaluate((pr: MlmModelParams, ex: SctdExtra, b: MlmBatch, k: p.KeyTensor) => objective.loss(pr, ex, b, k, 'train', 'default').loss, params, extra, batch, keyInput(key(1)))).toThrow(/unknown variant "default"/);
  });
});
