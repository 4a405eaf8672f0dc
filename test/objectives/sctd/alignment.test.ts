import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { keyInput } from '../../../dsl/random.ts';
import type { Tensor } from '../../../dsl/tensor.ts';
import type { EncoderConfig } from '../../../models/config.ts';
import type { MlmModelParams } from '../../../models/params.ts';
import type { Concrete } from '../../../dsl/trace.ts';
import type { MlmBatch } from '../../../objectives/mlm.ts';
import { type SctdExtra, type TokenDroppingOptions, hiddenSoftmaxKl, isAlignStep, sctdObjective } from '../../../objectives/sctd/index.ts';
import { key } from '../../../prng/key.ts';
import { normalHost } from '../../helpers/arbitraries.ts';
import { routingConfig } from './tinyRouting.ts';

const V = 12;
const VOCAB = { size: V, pad: 1, unk: 3, cls: 0, sep: 2, mask: 11 };

/** Two rows of 8 (the second padded after 6) with masked positions. */
const batch = {
  inputIds: new HostTensor(['batch', 'seq'], [2, 8], 'i32', [0, 5, 11, 7, 4, 6, 8, 2, 0, 9, 11, 10, 11, 2, 1, 1]),
  attentionMask: new HostTensor(['batch', 'seq'], [2, 8], 'bool', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
  labels: new HostTensor(['batch', 'seq'], [2, 8], 'i32', [-100, -100, 4, -100, -100, 5, -100, -100, -100, -100, 7, -100, 6, -100, -100, -100]),
};
const N_TOK = 14;

function step(config: EncoderConfig, options: Partial<TokenDroppingOptions>, variant: string, mode: 'train' | 'eval' = 'train', extraOverride?: Partial<Concrete<SctdExtra>>) {
  const objective = sctdObjective({ encoder: config, vocab: VOCAB, ...options });
  const init = objective.init(key(2));
  const extra = { ...init.extra, ...extraOverride };
  return p.evaluate(
    (pr: MlmModelParams, ex: SctdExtra, b: MlmBatch, k: p.KeyTensor) => {
      const out = objective.loss(pr, ex, b, k, mode, variant);
      return { loss: out.loss, metrics: out.metrics, extra: out.extra ?? ex };
    },
    init.params, extra, batch, keyInput(key(5)),
  );
}

describe('ScTD alignment (spec 2f 7)', () => {
  it('KL(full ‖ drop) of the hidden-dim softmax is ≥ 0, and 0 for identical states', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 9 }), (seed, b, d) => {
        const u = normalHost(seed, ['batch', 'hidden'], [b, d], (x) => 3 * x);
        const w = normalHost(seed + 1, ['batch', 'hidden'], [b, d], (x) => 3 * x);
        const out = p.evaluate((x: Tensor<['batch', 'hidden']>, y: Tensor<['batch', 'hidden']>) => ({ kl: hiddenSoftmaxKl(x, y), same: hiddenSoftmaxKl(x, x) }), w, u);
        expect(out.kl.item()).toBeGreaterThan(0);
        expect(out.same.item()).toBe(0);
        // direction: Σ_b Σ_c P_full (ln P_full - ln P_drop), P = softmax over hidden
        const logSoftmax = (h: HostTensor, r: number) => {
          const row = Array.from(h.data.slice(r * d, (r + 1) * d));
          const m = Math.max(...row);
          const lse = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
          return row.map((x) => x - lse);
        };
        let want = 0;
        for (let r = 0; r < b; r++) {
          const lf = logSoftmax(w, r);
          const ld = logSoftmax(u, r);
          lf.forEach((l, c) => (want += Math.exp(l) * (l - ld[c]!)));
        }
        expect(out.kl.item()).toBeCloseTo(want, 10);
      }),
      { numRuns: 50 },
    );
  });

  it('the KLs of an alignment step are 0 when the passes coincide (ρ = 0, dropout off) and positive otherwise', () => {
    const still = routingConfig({ vocabSize: V, dropout: 0, attentionDropout: 0 });
    const same = step(still, { dropRatio: 0 }, 'align');
    expect(same.metrics.kl_loss!.item()).toBeCloseTo(0, 12);
    expect(same.metrics.kl_loss_final!.item()).toBeCloseTo(0, 12);
    const dropped = step(still, { dropRatio: 0.4 }, 'align');
    expect(dropped.metrics.kl_loss!.item()).toBeGreaterThan(1e-6);
    expect(dropped.metrics.kl_loss_final!.item()).toBeGreaterThan(1e-6);
    const noisy = step(routingConfig({ vocabSize: V, dropout: 0.3, attentionDropout: 0.3 }), { dropRatio: 0 }, 'align');
    expect(noisy.metrics.kl_loss_final!.item()).toBeGreaterThan(1e-6); // independent dropout in the two passes
  });

  it('the layer-(L-2) KL compares [CLS] with [CLS] on short padded rows (0 when routing starts at L-2, dropout off); the released rule compares it with another token', () => {
    // routeStart = L-2: layer L-2 is the cross-attention of the kept tokens over all tokens, so
    // a kept token's layer-(L-2) state is the full pass's. Row 1 has 6 real tokens, only 2 normal
    // ones, fewer than floor(8·0.5) = 4: the released rule drops its [CLS] (first among the ties).
    const still = routingConfig({ vocabSize: V, dropout: 0, attentionDropout: 0 });
    const options = { dropRatio: 0.5, routeStart: still.layers - 2 };
    expect(step(still, options, 'align').metrics.kl_loss!.item()).toBeLessThan(1e-12);
    expect(step(still, { ...options, paddedLengthDropCompat: true }, 'align').metrics.kl_loss!.item()).toBeGreaterThan(1e-4);
  });

  it('alignment steps are exactly the updates ≡ 0 (mod F), update 0 included; never for vanilla; eval has its own variant', () => {
    const config = routingConfig({ vocabSize: V });
    const sctd = sctdObjective({ encoder: config, vocab: VOCAB });
    const every3 = sctdObjective({ encoder: config, vocab: VOCAB, alignEvery: 3 });
    const vanilla = sctdObjective({ encoder: config, vocab: VOCAB, preset: 'vanilla' });
    for (let s = 0; s <= 100; s++) {
      expect(sctd.variant!(s, 'train')).toBe(s % 10 === 0 ? 'align' : 'drop');
      expect(every3.variant!(s, 'train')).toBe(s % 3 === 0 ? 'align' : 'drop');
      expect(vanilla.variant!(s, 'train')).toBe('drop');
      expect(sctd.variant!(s, 'eval')).toBe('eval');
      expect(isAlignStep(s, 10)).toBe(s % 10 === 0);
    }
  });

  it('loss as coded: (Σ NLL_drop + 0.05·KL_{L-2} + 0.05·KL_{L-1}) / N_tok; non-alignment steps reuse the cached KLs', () => {
    const config = routingConfig({ vocabSize: V });
    const align = step(config, { dropRatio: 0.4 }, 'align');
    const m = align.metrics;
    const sumNll = m.mlm_loss!.item() * m.predictions!.item();
    expect(m.predictions!.item()).toBe(4);
    expect(align.loss.item()).toBeCloseTo((sumNll + 0.05 * (m.kl_loss!.item() + m.kl_loss_final!.item())) / N_TOK, 12);
    expect(align.extra.klPenultimate.item()).toBe(m.kl_loss!.item());
    expect(align.extra.klFinal.item()).toBe(m.kl_loss_final!.item());
    expect(m.align!.item()).toBe(1);

    const cached = { klPenultimate: new HostTensor([] as [], [], 'f32', [0.25]), klFinal: new HostTensor([] as [], [], 'f32', [0.5]) };
    const drop = step(config, { dropRatio: 0.4 }, 'drop', 'train', cached);
    expect(drop.loss.item()).toBeCloseTo((drop.metrics.mlm_loss!.item() * 4) / N_TOK, 12);
    expect(drop.metrics.kl_loss!.item()).toBe(0.25);
    expect(drop.metrics.kl_loss_final!.item()).toBe(0.5);
    expect(drop.extra.klFinal.item()).toBe(0.5);
    expect(drop.metrics.align!.item()).toBe(0);
  });

  it('fixLrefBug: (0.5·Σ NLL_drop + 0.5·Σ NLL_full + 0.05·(KLs)) / N_tok', () => {
    const still = routingConfig({ vocabSize: V, dropout: 0, attentionDropout: 0 });
    const fixed = step(still, { dropRatio: 0.4, fixLrefBug: true }, 'align');
    const full = step(still, { dropRatio: 0.4 }, 'eval', 'eval'); // dropout off: the full train pass = the eval pass
    const m = fixed.metrics;
    const sumDrop = m.mlm_loss!.item() * 4;
    const sumFull = full.loss.item() * N_TOK;
    expect(Math.abs(sumDrop - sumFull)).toBeGreaterThan(1e-6);
    expect(fixed.loss.item()).toBeCloseTo((0.5 * sumDrop + 0.5 * sumFull + 0.05 * (m.kl_loss!.item() + m.kl_loss_final!.item())) / N_TOK, 12);
    // with ρ = 0 both passes agree and the two forms coincide
    expect(step(still, { dropRatio: 0, fixLrefBug: true }, 'align').loss.item()).toBeCloseTo(step(still, { dropRatio: 0 }, 'align').loss.item(), 12);
  });
});
