import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.ts';
import * as p from '../../dsl/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import type { Axes } from '../../dsl/axes.ts';
import type { EncoderConfig } from '../../models/config.ts';
import type { MlmModelParams } from '../../models/params.ts';
import { EnlargeError, enlargeConfig, enlargeMlm, type EmbeddingScaling } from '../../models/enlarge.ts';
import { mlmModelLogits } from '../../objectives/mlm.ts';
import { key } from '../../prng/key.ts';
import { randint } from '../../prng/samplers.ts';
import { randomMlmParams, tinyConfig } from './checkpoint/fixtures.ts';

const B = 2;
const L = 6;

function inputs(seed: number, vocab: number) {
  const ids = randint(key(seed), 0, vocab, B * L);
  const lengths = randint(key(seed + 1), 2, L + 1, B);
  const mask = Uint8Array.from({ length: B * L }, (_, i) => (i % L < lengths[Math.floor(i / L)]! ? 1 : 0));
  return { ids: new HostTensor(['batch', 'seq'], [B, L], 'i32', ids), mask: new HostTensor(['batch', 'seq'], [B, L], 'bool', mask) };
}

const programs = new Map<string, (params: unknown, ids: HostTensor, mask: HostTensor) => HostTensor>();

/** Compiled (f32) MLM logits of a model of this config; one program per config. */
function logitsOf(config: EncoderConfig, params: unknown, ids: HostTensor, mask: HostTensor): HostTensor {
  const id = JSON.stringify(config);
  let prog = programs.get(id);
  if (!prog) {
    const fn = compile((pr: unknown, i: p.Tensor<Axes>, m: p.Tensor<Axes>) => mlmModelLogits(pr as MlmModelParams, { inputIds: p.asAxes(i, ['batch', 'seq']), attentionMask: p.asAxes(m, ['batch', 'seq']) }, config).logits, [params, ids, mask] as const);
    prog = (pr, i, m) => fn(pr as never, i, m) as HostTensor;
    programs.set(id, prog);
  }
  return prog(params, ids, mask);
}

function maxRelDiff(a: HostTensor, b: HostTensor): number {
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!) / Math.max(1, Math.abs(b.data[i]!)));
  return worst;
}

describe('enlarge (spec 5b8, property 5f-7)', () => {
  // BERT's eps (1e-12): the 'spec' mapping's embedding-LayerNorm eps effect (r²·eps) is far below f32 precision
  const cases: [EmbeddingScaling, 'post' | 'pre', number][] = [['spec', 'post', 1e-12], ['spec', 'pre', 1e-12], ['exact', 'post', 1e-5], ['exact', 'pre', 1e-5]];
  for (const [scaling, layerNorm, eps] of cases) {
    it(`large-model logits equal small-model logits within 1e-5 in f32 (${scaling} scaling, ${layerNorm}-LN, eps ${eps}, r = 2 and 4)`, () => {
      const small = tinyConfig({ layerNorm, layerNormEps: eps, hidden: 8, heads: 2, ffn: 12, layers: 2, gelu: layerNorm === 'pre' ? 'tanh' : 'erf' });
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1e6 }), fc.constantFrom(2, 4), (seed, r) => {
          const params = randomMlmParams(small, seed, 0.4);
          const { ids, mask } = inputs(seed, small.vocabSize);
          const big = enlargeMlm(params, small, { factor: r, scaling });
          expect(big.config).toMatchObject({ hidden: 8 * r, heads: 2 * r, ffn: 12 * r, layers: 2 });
          expect(big.params.encoder.layers[1]!.attention.wq.shape).toEqual([8 * r, 8 * r]);
          const want = logitsOf(small, params, ids, mask);
          const got = logitsOf(big.config, big.params, ids, mask);
          expect(maxRelDiff(got, want)).toBeLessThan(1e-5);
        }),
        { numRuns: 4 },
      );
    });
  }

  it("'spec' scaling changes the embedding LayerNorm's effective eps to r²·eps (visible at a large eps), 'exact' does not", () => {
    const small = tinyConfig({ layerNormEps: 0.05, layers: 1 });
    const params = randomMlmParams(small, 5, 0.4);
    const { ids, mask } = inputs(5, small.vocabSize);
    const want = logitsOf(small, params, ids, mask);
    const spec = enlargeMlm(params, small, { factor: 4, scaling: 'spec' });
    const exact = enlargeMlm(params, small, { factor: 4, scaling: 'exact' });
    expect(maxRelDiff(logitsOf(spec.config, spec.params, ids, mask), want)).toBeGreaterThan(1e-3);
    expect(maxRelDiff(logitsOf(exact.config, exact.params, ids, mask), want)).toBeLessThan(1e-5);
  });

  it('adds zero layers to a pre-LN model without changing its function, and refuses to for post-LN', () => {
    const small = tinyConfig({ layerNorm: 'pre', layers: 1 });
    const params = randomMlmParams(small, 9, 0.4);
    const { ids, mask } = inputs(9, small.vocabSize);
    const big = enlargeMlm(params, small, { factor: 2, layers: 3 });
    expect(big.params.encoder.layers).toHaveLength(3);
    expect(maxRelDiff(logitsOf(big.config, big.params, ids, mask), logitsOf(small, params, ids, mask))).toBeLessThan(1e-5);
    expect(() => enlargeConfig(tinyConfig({ layers: 1 }), { factor: 2, layers: 2 })).toThrow(EnlargeError);
    expect(() => enlargeConfig(small, { factor: 1.5 })).toThrow(EnlargeError);
  });

  it('maps a dense weight to r x r blocks of W/r and tiles biases (element check)', () => {
    const small = tinyConfig({ layers: 1 });
    const params = randomMlmParams(small, 2);
    const big = enlargeMlm(params, small, { factor: 3 });
    const w = params.encoder.layers[0]!.ffnIn.w; // [8, 12]
    const W = big.params.encoder.layers[0]!.ffnIn.w; // [24, 36]
    for (const [i, j] of [[0, 0], [9, 13], [23, 35], [17, 5]] as const) {
      expect(W.data[i * 36 + j]).toBeCloseTo(w.data[(i % 8) * 12 + (j % 12)]! / 3, 6);
    }
    const b = big.params.encoder.layers[0]!.ffnIn.b;
    expect(b.data[12 + 5]).toBe(params.encoder.layers[0]!.ffnIn.b.data[5]);
    expect(big.params.encoder.embeddings.word.data[1 * 24 + 8 + 2]).toBeCloseTo(params.encoder.embeddings.word.data[1 * 8 + 2]! / 3, 6);
    expect(Array.from(big.params.mlmHead.bias.data)).toEqual(Array.from(params.mlmHead.bias.data));
  });
});
