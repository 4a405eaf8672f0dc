import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { key } from '../../../prng/key.ts';
import { normal, randint, bernoulli } from '../../../prng/samplers.ts';
import { electraForward, electraObjective, replacedTokenInputs, resolveElectraOptions, sampleReplacements } from '../../../objectives/electra/index.ts';
import { lossKey, tinyElectraOptions, tinyTokens } from './tinyElectra.ts';

type Grid = p.Tensor<['batch', 'seq']>;
const V = 4;

/** Logits that favour the original token by `bias` (so samples often equal it) plus noise. */
function logitsNear(ids: Int32Array, seed: number, bias: number): HostTensor<['batch', 'seq', 'vocab']> {
  const z = normal(key(seed), ids.length * V);
  for (let i = 0; i < ids.length; i++) z[i * V + ids[i]!] += bias;
  return new HostTensor(['batch', 'seq', 'vocab'] as ['batch', 'seq', 'vocab'], [2, ids.length / 2, V], 'f32', z);
}

function checkDiscriminatorInputs(x: ArrayLike<number>, selected: ArrayLike<number>, sampled: ArrayLike<number>, xd: ArrayLike<number>, d: ArrayLike<number>) {
  const seen = { replaced: 0, kept: 0 };
  for (let i = 0; i < x.length; i++) {
    if (!selected[i]) {
      expect(xd[i], `x^d at ${i} outside S`).toBe(x[i]);
      expect(d[i], `d at ${i} outside S`).toBe(0);
    } else {
      expect(xd[i]).toBe(sampled[i]);
      expect(d[i], `d at ${i} in S`).toBe(sampled[i] !== x[i] ? 1 : 0);
      seen[d[i] ? 'replaced' : 'kept']++;
    }
  }
  return seen;
}

describe('ELECTRA discriminator input and labels (spec 4f 2)', () => {
  it('x^d = x outside S, d = 0 outside S, and at S d = 1 iff the sample differs from the original', () => {
    const seen = { replaced: 0, kept: 0 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, 0.5, 1, 2), (half, seed, temperature) => {
        const n = 2 * half;
        const x = randint(key(seed), 0, V, 2 * n);
        const selected = bernoulli(key(seed + 1), 0.6, 2 * n);
        const host = (data: ArrayLike<number>, dtype: 'i32' | 'bool') => new HostTensor(['batch', 'seq'] as ['batch', 'seq'], [2, n], dtype, data);
        const out = p.evaluate(
          (z: p.Tensor<['batch', 'seq', 'vocab']>, ids: Grid, sel: Grid, k: p.KeyTensor) => {
            const sampled = sampleReplacements(k, z, temperature);
            return { sampled, ...replacedTokenInputs(ids, sel, sampled) };
          },
          logitsNear(x, seed + 2, 2), host(x, 'i32'), host(selected, 'bool'), lossKey(seed + 3),
        );
        const s = checkDiscriminatorInputs(x, selected, out.sampled.data, out.inputIds.data, out.labels.data);
        seen.replaced += s.replaced;
        seen.kept += s.kept;
      }),
      { numRuns: 40, seed: 3 },
    );
    // both cases occur, so "a sample equal to the original is labelled original" was exercised
    expect(seen.replaced).toBeGreaterThan(20);
    expect(seen.kept).toBeGreaterThan(20);
  });

  it('the full forward pass feeds the discriminator the ORIGINAL x with samples at S (not x^g)', () => {
    const o = resolveElectraOptions(tinyElectraOptions({ maskProb: 0.4, randomTokenProb: 0.3 }));
    const objective = electraObjective(o);
    const { params } = objective.init(key(1));
    const batch = objective.prepare(tinyTokens([9, 5, 12], 14, 2), key(3), 0, 'train');
    const out = p.evaluate((pp, b, k) => {
      const f = electraForward(pp, b, k, 'train', o);
      return { sampled: f.sampled, xd: f.discriminatorInputIds, d: f.discriminatorLabels };
    }, params, batch, lossKey(4));
    const x = batch.inputIds.data;
    checkDiscriminatorInputs(x, batch.selected.data, out.sampled.data, out.xd.data, out.d.data);
    // random tokens put x^g != x outside S; the discriminator still sees x there
    const corruptedOutside = Array.from(x).filter((id, i) => !batch.selected.data[i] && batch.generatorInputIds.data[i] !== id).length;
    expect(corruptedOutside).toBeGreaterThan(0);
  });
});
