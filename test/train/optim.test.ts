import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../dsl/index.ts';
import { type AdamWConfig, adamwInit, adamwScalarInputs, adamwScalars, adamwUpdate, noDecayForBiasAndLayerNorm } from '../../train/optim/adamw.ts';
import { learningRate } from '../../train/schedule.ts';
import { clipByGlobalNorm, globalNorm } from '../../train/trainStep.ts';
import { normalHost } from '../helpers/arbitraries.ts';

type T = p.Tensor<p.Axes>;

describe('AdamW', () => {
  it('matches torch.optim.AdamW semantics step by step (decay before the Adam step, bias corrections)', () => {
    const cfg: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0.01 };
    const w0 = normalHost(1, ['a'], [5]);
    const lr = 1e-2;
    let params = { w: w0 };
    let state = adamwInit(params);
    // a plain re-statement of torch's for-loop AdamW, in float64
    const w = Float64Array.from(w0.data);
    const m = new Float64Array(5);
    const v = new Float64Array(5);
    for (let step = 0; step < 4; step++) {
      const g = normalHost(10 + step, ['a'], [5]);
      const out = p.evaluate(
        (ps: { w: T }, gs: { w: T }, st: { m: { w: T }; v: { w: T } }, sc: { lr: T; stepSize: T; invSqrtBiasCorrection2: T }) => adamwUpdate(ps, gs, st, sc, cfg),
        params, { w: g }, state, adamwScalarInputs(adamwScalars(cfg, lr, step)),
      );
      const t = step + 1;
      for (let i = 0; i < 5; i++) {
        w[i] = w[i]! * (1 - lr * cfg.weightDecay);
        m[i] = cfg.beta1 * m[i]! + (1 - cfg.beta1) * g.data[i]!;
        v[i] = cfg.beta2 * v[i]! + (1 - cfg.beta2) * g.data[i]! ** 2;
        const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - cfg.beta2 ** t) + cfg.eps;
        w[i] = w[i]! - (lr / (1 - cfg.beta1 ** t)) * (m[i]! / denom);
      }
      // the per-step scalars are float32 inputs, hence 1e-7 rather than float64 agreement
      out.params.w.data.forEach((x, i) => expect(x).toBeCloseTo(w[i]!, 7));
      params = out.params as typeof params;
      state = out.state as typeof state;
    }
  });

  it('excludes biases and LayerNorm parameters from decay when configured', () => {
    for (const path of ['encoder.layers[0].attention.bq', 'encoder.layers[1].ffnIn.b', 'encoder.embeddings.ln.gain', 'encoder.embeddings.ln.bias', 'mlmHead.bias']) {
      expect(noDecayForBiasAndLayerNorm(path), path).toBe(false);
    }
    for (const path of ['encoder.layers[0].attention.wq', 'encoder.embeddings.word', 'mlmHead.transform.w', 'encoder.layers[0].ffnOut.w']) {
      expect(noDecayForBiasAndLayerNorm(path), path).toBe(true);
    }
  });
});

describe('schedules', () => {
  it('warmup is linear from lr/warmup to lr; linear decay reaches 0 at totalSteps; polynomial with power 1 equals linear', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 60, max: 500 }), fc.double({ min: 1e-5, max: 1, noNaN: true }), (warm, total, lr) => {
        const lin = { kind: 'linear', lr, warmupSteps: warm, totalSteps: total } as const;
        expect(learningRate(lin, 0)).toBeCloseTo(lr / warm, 12);
        expect(learningRate(lin, warm - 1)).toBeCloseTo(lr, 12);
        expect(learningRate(lin, total)).toBe(0);
        for (const s of [warm, Math.floor((warm + total) / 2), total - 1]) {
          expect(learningRate({ kind: 'polynomial', lr, warmupSteps: warm, totalSteps: total, power: 1 }, s)).toBeCloseTo(learningRate(lin, s), 12);
          expect(learningRate(lin, s)).toBeLessThanOrEqual(lr);
        }
      }),
    );
  });
});

describe('gradient clipping', () => {
  it('scales the global norm down to the maximum and leaves small gradients alone', () => {
    const g = { a: normalHost(3, ['i'], [7], (v) => 10 * v), b: normalHost(4, ['j', 'k'], [2, 3]) };
    const out = p.evaluate((gs: { a: T; b: T }) => {
      const c = clipByGlobalNorm(gs, 1.5);
      return { before: c.norm, after: globalNorm(c.grads), untouched: globalNorm(clipByGlobalNorm(gs, 1e6).grads) };
    }, g);
    expect(out.before.item()).toBeGreaterThan(1.5);
    expect(out.after.item()).toBeCloseTo(1.5, 5);
    expect(out.untouched.item()).toBeCloseTo(out.before.item(), 6);
  });
});
