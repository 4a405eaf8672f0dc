import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { keyInput } from '../../../dsl/random.ts';
import { encoderConfig } from '../../../models/config.ts';
import { key } from '../../../prng/key.ts';
import { mlmObjective } from '../../../objectives/mlm.ts';
import { type TacoOptions, TacoOptionError, tacoObjective } from '../../../objectives/taco/index.ts';
import type { TokenBatch } from '../../../objectives/objective.ts';
import { TINY_VOCAB, tinyTokens } from '../electra/tinyElectra.ts';

const config = (layers = 1, dropout = 0.1) =>
  encoderConfig({ vocabSize: TINY_VOCAB.size, hidden: 8, layers, heads: 2, ffn: 16, maxPositions: 16, dropout, attentionDropout: dropout });
const options = (o: Partial<TacoOptions> = {}): TacoOptions => ({ encoder: config(), vocab: TINY_VOCAB, negatives: 5, ...o });

/** Unpadded rows of random words (TACO's fixed blocks). */
const blocks = (rows: number, T: number, seed: number): TokenBatch => tinyTokens(new Array(rows).fill(T - 2), T, seed);

describe('TACO objective', () => {
  it('anchor sets: all tokens, the non-masked ones, or the masked ones (S); pads never', () => {
    const tokens = tinyTokens([14, 9, 3, 12], 16, 2);
    for (const anchors of ['all', 'unmasked', 'masked'] as const) {
      const batch = tacoObjective(options({ anchors, maskProb: 0.4 })).prepare(tokens, key(3), 0, 'train');
      for (let i = 0; i < tokens.inputIds.length; i++) {
        const real = tokens.attentionMask[i] === 1;
        const masked = batch.labels.data[i]! >= 0;
        const want = real && (anchors === 'all' || (anchors === 'masked') === masked);
        expect(batch.tcAnchors.data[i], `${anchors} at ${i}`).toBe(want ? 1 : 0);
      }
    }
  });

  it('masks like mlmObjective with HF Bernoulli masking for the same key (and draws TC samples from another stream)', () => {
    const tokens = blocks(3, 12, 4);
    const mlm = mlmObjective({ encoder: config(), vocab: TINY_VOCAB, masking: { kind: 'bernoulli', prob: 0.15 }, normalizer: 'masked' });
    for (const seed of [1, 2, 3]) {
      const want = mlm.prepare(tokens, key(seed), 0, 'train');
      const got = tacoObjective(options()).prepare(tokens, key(seed), 0, 'train');
      expect(Array.from(got.inputIds.data)).toEqual(Array.from(want.inputIds.data));
      expect(Array.from(got.labels.data)).toEqual(Array.from(want.labels.data));
    }
    const a = tacoObjective(options()).prepare(tokens, key(1), 0, 'train');
    const b = tacoObjective(options()).prepare(tokens, key(2), 0, 'train');
    expect(Array.from(a.tcCandidates.data)).not.toEqual(Array.from(b.tcCandidates.data));
  });

  it('e is the tensor fed to layer 1, dropout included: with no layers, g = h − e = 0 and ℓ_a = ln(K + 1) in train mode', () => {
    for (const [lambda, exact] of [[1, true], [0.5, false]] as const) {
      const objective = tacoObjective(options({ encoder: config(0, 0.3), lambda }));
      const { params } = objective.init(key(1));
      const batch = objective.prepare(blocks(3, 10, 5), key(2), 0, 'train');
      const out = p.evaluate((pp, b, k) => objective.loss(pp, {}, b, k, 'train', 'default'), params, batch, keyInput(key(3)));
      const tc = out.metrics.tc_loss!.item();
      if (exact) expect(tc).toBeCloseTo(Math.log(6), 12);
      else expect(Math.abs(tc - Math.log(6))).toBeGreaterThan(1e-3);
    }
  });

  it('the MLM head sees the unmodified h: mlm_loss equals plain MLM for the same batch and key; loss = mlm + w·tc', () => {
    const tokens = blocks(3, 12, 6);
    const mlm = mlmObjective({ encoder: config(), vocab: TINY_VOCAB, masking: { kind: 'bernoulli', prob: 0.3 }, normalizer: 'masked' });
    const taco = tacoObjective(options({ maskProb: 0.3, weight: 0.37 }));
    const { params } = taco.init(key(7));
    const batch = taco.prepare(tokens, key(8), 0, 'train');
    const mlmBatch = { inputIds: batch.inputIds, attentionMask: batch.attentionMask, labels: batch.labels };
    for (const mode of ['train', 'eval'] as const) {
      const t = p.evaluate((pp, b, k) => taco.loss(pp, {}, b, k, mode, 'default'), params, batch, keyInput(key(9)));
      const m = p.evaluate((pp, b, k) => mlm.loss(pp, {}, b, k, mode, 'default'), params, mlmBatch, keyInput(key(9)));
      expect(t.metrics.mlm_loss!.item()).toBe(m.loss.item());
      expect(t.loss.item()).toBe(t.metrics.mlm_loss!.item() + 0.37 * t.metrics.tc_loss!.item());
      expect(t.metrics.tc_loss!.item()).toBeGreaterThan(0);
    }
  });

  it('bad options throw TacoOptionError naming the option and value', () => {
    const cases: [Partial<TacoOptions>, string, unknown][] = [
      [{ window: 4 }, 'window', 4], [{ window: 1 }, 'window', 1], [{ negatives: 0 }, 'negatives', 0], [{ temperature: 0 }, 'temperature', 0],
      [{ weight: -1 }, 'weight', -1], [{ anchors: 'some' as never }, 'anchors', 'some'], [{ maskProb: 2 }, 'maskProb', 2], [{ lambda: Number.NaN }, 'lambda', Number.NaN],
    ];
    for (const [o, option, value] of cases) {
      let error: unknown;
      try {
        tacoObjective(options(o));
      } catch (e) {
        error = e;
      }
      expect(error, option).toBeInstanceOf(TacoOptionError);
      expect((error as TacoOptionError).context).toEqual({ option, value });
    }
  });
});
