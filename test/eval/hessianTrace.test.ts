import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../dsl/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import { flatten, unflatten } from '../../dsl/tree.ts';
import { excludeMlmDecoderBias, hutchinsonTrace, mlmHessianTrace, quadraticForm, type MlmPool } from '../../eval/index.ts';
import type { MlmModelParams } from '../../models/params.ts';
import { mlmModelLogits } from '../../objectives/mlm.ts';
import { mlmLossAndMetrics, mlmPositions } from '../../objectives/mlmHeadLoss.ts';
import { key } from '../../prng/key.ts';
import { normal, randint } from '../../prng/samplers.ts';
import { randomMlmParams, tinyConfig } from '../models/checkpoint/fixtures.ts';

type T = p.Tensor<p.Axes>;

/** f(θ) = ½ θᵀ A θ with θ = concat(params.a, params.b) and A from the data. */
const quadratic = (params: unknown, data: unknown): p.Tensor<[]> => {
  const { a, b } = params as { a: T; b: T };
  const theta = p.concat([a, b], 'i');
  const Atheta = p.dot(data as T, theta, 'i'); // A ['j', 'i'] . θ ['i'] -> ['j']
  return p.sumAll(p.rename(theta, { i: 'j' }).mul(Atheta)).mul(0.5) as p.Tensor<[]>;
};

/** A random symmetric n x n matrix ['j', 'i'] and its trace, Frobenius norm², and the trace of its top-left block. */
function randomSymmetric(seed: number, n: number, block: number) {
  const z = normal(key(seed), n * n);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = (z[i * n + j]! + z[j * n + i]!) / 2 + (i === j ? 1 : 0);
  let trace = 0;
  let frob2 = 0;
  let blockTrace = 0;
  for (let i = 0; i < n; i++) {
    trace += A[i * n + i]!;
    if (i < block) blockTrace += A[i * n + i]!;
  }
  for (const x of A) frob2 += x * x;
  let blockFrob2 = 0;
  for (let i = 0; i < block; i++) for (let j = 0; j < block; j++) blockFrob2 += A[i * n + j]! ** 2;
  return { A: new HostTensor(['j', 'i'], [n, n], 'f32', A), trace, frob2, blockTrace, blockFrob2 };
}

const theta = (n1: number, n2: number, seed: number) => ({
  a: new HostTensor(['i'], [n1], 'f32', normal(key(seed), n1)),
  b: new HostTensor(['i'], [n2], 'f32', normal(key(seed + 1), n2)),
});

describe('Hutchinson trace estimator (spec 5b6, property 5f-6)', () => {
  it('on f(θ) = ½θᵀAθ the mean converges to tr(A) within 5 standard errors (variance 2‖A‖_F² per sample)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), (seed, n1, n2) => {
        const S = 300;
        const { A, trace, frob2 } = randomSymmetric(seed, n1 + n2, n1);
        const r = hutchinsonTrace(quadratic, theta(n1, n2, seed), () => A, { samples: S, key: key(seed), backend: 'interpreter' });
        expect(r.dimension).toBe(n1 + n2);
        expect(Math.abs(r.trace - trace)).toBeLessThan(5 * Math.sqrt((2 * frob2) / S));
      }),
      { numRuns: 8 },
    );
  });

  it('per-sample values have the variance 2‖A‖_F², and running means are reported', () => {
    const { A, trace, frob2 } = randomSymmetric(17, 6, 3);
    const S = 2000;
    const r = hutchinsonTrace(quadratic, theta(3, 3, 17), () => A, { samples: S, key: key(4), backend: 'interpreter', reportEvery: 500 });
    let ss = 0;
    for (const x of r.values) ss += (x - r.trace) ** 2;
    const variance = ss / (S - 1);
    expect(variance / (2 * frob2)).toBeGreaterThan(0.75);
    expect(variance / (2 * frob2)).toBeLessThan(1.3);
    expect(r.stdErr).toBeCloseTo(Math.sqrt(variance / S), 10);
    expect(Math.abs(r.trace - trace)).toBeLessThan(4 * r.stdErr);
    expect(r.runningMeans.map((m) => m.samples)).toEqual([500, 1000, 1500, 2000]);
    expect(r.runningMeans[3]!.mean).toBeCloseTo(r.trace, 12);
  });

  it('excluded parameters leave θ: the estimate targets the trace of the remaining block', () => {
    const { A, trace, blockTrace, blockFrob2 } = randomSymmetric(23, 8, 3);
    const S = 1500;
    const r = hutchinsonTrace(quadratic, theta(3, 5, 23), () => A, { samples: S, key: key(8), backend: 'interpreter', exclude: (path) => path === 'b' });
    expect(r.parameters).toEqual(['a']);
    expect(Math.abs(r.trace - blockTrace)).toBeLessThan(5 * Math.sqrt((2 * blockFrob2) / S));
    expect(Math.abs(r.trace - trace)).toBeGreaterThan(Math.abs(r.trace - blockTrace));
  });
});

describe('MLM Hessian trace', () => {
  const config = tinyConfig({ layers: 1, hidden: 8, ffn: 8, vocabSize: 11, maxPositions: 6, dropout: 0.1, attentionDropout: 0.1 });
  const params = randomMlmParams(config, 12, 0.3);
  const rows = 6;
  const L = 6;
  const labels = Int32Array.from({ length: rows * L }, (_, i) => (i % 3 === 1 ? (i * 7) % 11 : -100));
  const pool: MlmPool = {
    inputIds: new HostTensor(['batch', 'seq'], [rows, L], 'i32', randint(key(1), 0, 11, rows * L)),
    attentionMask: new HostTensor(['batch', 'seq'], [rows, L], 'bool', new Uint8Array(rows * L).fill(1)),
    labels: new HostTensor(['batch', 'seq'], [rows, L], 'i32', labels),
  };
  const loss = (pr: unknown, b: unknown) => {
    const batch = b as { inputIds: p.Tensor<['batch', 'seq']>; attentionMask: p.Tensor<['batch', 'seq']>; labels: p.Tensor<['batch', 'seq']> };
    const { logits } = mlmModelLogits(pr as MlmModelParams, batch, config);
    return mlmLossAndMetrics(mlmPositions(logits, batch.labels), batch.labels, 'masked').loss;
  };

  it('vᵀHv by double backprop equals the second difference of the loss along v (float64)', () => {
    const flat = flatten<HostTensor>(params, (x) => x instanceof HostTensor);
    const included = flat.paths.map((path) => !excludeMlmDecoderBias(path));
    const v = flat.leaves.filter((_, i) => included[i]).map((l, i) => new HostTensor(l.axes, l.shape, 'f32', normal(key(100 + i), l.data.length)));
    const quad = p.evaluate((pr: unknown, b: unknown, vv: T[]) => quadraticForm(loss, pr, b, vv, included), params, pool, v as never).item();
    const eps = 1e-3;
    const shifted = (sign: number) => {
      let j = 0;
      return unflatten(flat.def, flat.leaves.map((l, i) => {
        if (!included[i]) return l;
        const d = v[j++]!.data;
        return new HostTensor(l.axes, l.shape, 'f32', Float64Array.from(l.data, (x, e) => x + sign * eps * d[e]!));
      }));
    };
    const f = (pr: unknown) => p.evaluate(loss, pr, pool).item();
    const fd = (f(shifted(1)) - 2 * f(params) + f(shifted(-1))) / eps ** 2;
    expect(Math.abs(quad - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
    expect(Math.abs(quad)).toBeGreaterThan(1e-3);
  });

  it('runs in eval mode over minibatches drawn with replacement, leaving out the decoder bias', () => {
    const r = mlmHessianTrace({ ...params, config }, pool, { samples: 3, batchSize: 4, key: key(2) });
    expect(r.parameters).not.toContain('mlmHead.bias');
    expect(r.parameters).toContain('mlmHead.transform.w');
    const total = flatten<HostTensor>(params, (x) => x instanceof HostTensor).leaves.reduce((n, l) => n + l.data.length, 0);
    expect(r.dimension).toBe(total - config.vocabSize);
    expect(r.values.every(Number.isFinite)).toBe(true);
    // eval mode: the config's dropout has no effect — the same key (minibatches, probe vectors)
    // gives the values of the model with dropout switched off, bit for bit
    expect(config.dropout).toBeGreaterThan(0);
    const noDropout = { ...config, dropout: 0, attentionDropout: 0 };
    const still = mlmHessianTrace({ ...params, config: noDropout }, pool, { samples: 3, batchSize: 4, key: key(2) });
    expect(Array.from(still.values)).toEqual(Array.from(r.values));
  });
});
