import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.ts';
import { countFlops } from '../../compiler/flops.ts';
import { compileStep } from '../../compiler/step.ts';
import * as p from '../../dsl/index.ts';
import { encoderConfig } from '../../models/config.ts';
import { encode } from '../../models/encoder.ts';
import { initEncoder } from '../../models/init.ts';
import { key } from '../../prng/key.ts';
import { normalHost } from '../helpers/arbitraries.ts';

type T = p.Tensor<p.Axes>;

// x [n=3, d=5], W1 [d=5, h=4], b1 [h=4], W2 [h=4, o=2]
const x = normalHost(1, ['n', 'd'], [3, 5]);
const params = { w1: normalHost(2, ['d', 'h'], [5, 4]), b1: normalHost(3, ['h'], [4]), w2: normalHost(4, ['h', 'o'], [4, 2]) };
type Mlp = { w1: T; b1: T; w2: T };
const mlpLoss = (q: Mlp, xs: T) => p.sumAll(p.dot(p.dot(xs, q.w1, 'd').add(q.b1).tanh() as T, q.w2, 'h').square());

describe('FLOP counting on the compiled graph', () => {
  it('a matmul [3x5]·[5x4] is 2·m·n·k = 120 FLOPs, all of them matmul', () => {
    const f = compile((a: T, b: T) => p.dot(a, b, 'd'), [x, params.w1] as const);
    expect(f.flops).toEqual({ matmul: 2 * 3 * 4 * 5, elementwise: 0, reduction: 0, total: 120 });
  });

  it('a small MLP forward: two matmuls, bias add, tanh, square and the sum, each counted by hand', () => {
    const f = compile(mlpLoss, [params, x] as const);
    const matmul = 2 * 3 * 4 * 5 + 2 * 3 * 2 * 4; // x·W1, h·W2
    const elementwise = 12 + 12 + 6; // + b1 (3x4), tanh (3x4), square (3x2)
    const reduction = 6 - 1; // sum of 6 values
    expect(f.flops).toEqual({ matmul, elementwise, reduction, total: matmul + elementwise + reduction });
  });

  it('a training step counts forward and backward matmuls (no gradient for the input x) and the update', () => {
    const step = compileStep(
      ((s: { params: Mlp }, inp: { x: T }) => {
        const g = p.grad((q: Mlp) => mlpLoss(q, inp.x))(s.params) as Mlp;
        const next = { w1: s.params.w1.sub(g.w1.mul(0.1)) as T, b1: s.params.b1.sub(g.b1.mul(0.1)) as T, w2: s.params.w2.sub(g.w2.mul(0.1)) as T };
        return { state: { params: next }, outputs: {} };
      }) as never,
      { params } as never,
      { x } as never,
    );
    // forward 120 + 48; backward dW2 = hᵀ·dy (48), dh = dy·W2ᵀ (48), dW1 = xᵀ·dz (120)
    expect(step.flops.matmul).toBe(120 + 48 + 48 + 48 + 120);
    // the SGD update alone is 2 ops per parameter (mul, sub): 2·(20 + 4 + 8)
    expect(step.flops.elementwise).toBeGreaterThanOrEqual(2 * 32 + 30);
  });

  it("an encoder's forward matmuls match the transformer formula 8Nh² + 4BT²h + 4N·h·ffn per layer", () => {
    const config = encoderConfig({ vocabSize: 11, hidden: 8, layers: 2, heads: 2, ffn: 12, maxPositions: 6, typeVocabSize: 0, dropout: 0, attentionDropout: 0 });
    const enc = initEncoder(config, key(0));
    const [B, T] = [3, 6];
    const ids = p.hostTensor(new Int32Array(B * T).map((_, i) => i % 11), ['batch', 'seq'], [B, T], 'i32');
    const traced = p.trace((e: typeof enc, inputIds: p.Tensor<['batch', 'seq']>) => encode(e as never, { inputIds }, config).last, [enc, ids]);
    const N = B * T;
    const { hidden: h, ffn } = config;
    expect(countFlops(traced.outputs).matmul).toBe(config.layers * (8 * N * h * h + 4 * B * T * T * h + 4 * N * h * ffn));
  });
});
