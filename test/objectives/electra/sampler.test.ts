import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { foldIn, key } from '../../../prng/key.ts';
import { permutation } from '../../../prng/samplers.ts';
import { sampleReplacements } from '../../../objectives/electra/index.ts';
import { lossKey } from './tinyElectra.ts';

const LOGITS = [0.5, -1, 2, 0, 1.2, -0.3];
const V = LOGITS.length;
const DRAWS = 100_000;
// χ² critical value for V - 1 = 5 degrees of freedom at α = 0.001
const CHI2_CRIT_5DF = 20.515;

const vocabLogits = new HostTensor(['vocab'] as ['vocab'], [V], 'f32', LOGITS);

function draws(temperature: number, seed: number): Int32Array {
  const out = p.evaluate(
    (z: p.Tensor<['vocab']>, k: p.KeyTensor) => sampleReplacements(k, p.broadcastTo(z, ['batch', 'seq', 'vocab'], [1, DRAWS, V]), temperature),
    vocabLogits, lossKey(seed),
  );
  return out.data as Int32Array;
}

function chiSquare(samples: ArrayLike<number>, temperature: number): number {
  const counts = new Array<number>(V).fill(0);
  for (let i = 0; i < samples.length; i++) counts[samples[i]!]++;
  const w = LOGITS.map((z) => Math.exp(z / temperature));
  const total = w.reduce((a, b) => a + b, 0);
  return counts.reduce((chi, c, v) => {
    const expected = (samples.length * w[v]!) / total;
    return chi + (c - expected) ** 2 / expected;
  }, 0);
}

describe('ELECTRA Gumbel-max sampler (spec 4f 5)', () => {
  it('temperature 1: frequencies of 1e5 draws match softmax (χ², α = 0.001)', () => {
    const s = draws(1, 17);
    expect(chiSquare(s, 1)).toBeLessThan(CHI2_CRIT_5DF);
    // and do not match a different temperature's distribution
    expect(chiSquare(s, 2)).toBeGreaterThan(100 * CHI2_CRIT_5DF);
  });

  it('temperature 2 samples softmax(z / 2)', () => {
    expect(chiSquare(draws(2, 18), 2)).toBeLessThan(CHI2_CRIT_5DF);
  });

  it('temperature → 0 gives the argmax', () => {
    const B = 3;
    const S = 7;
    const W = 9;
    // logits with gaps of at least 0.5, so 1e-3 temperature cannot be overturned by the noise (|G| < 17)
    const ranks = Array.from({ length: B * S }, (_, r) => permutation(foldIn(key(4), r), W));
    const z = Float64Array.from({ length: B * S * W }, (_, i) => 0.5 * ranks[Math.floor(i / W)]![i % W]! - 2);
    const logits = new HostTensor(['batch', 'seq', 'vocab'] as ['batch', 'seq', 'vocab'], [B, S, W], 'f32', z);
    const argmax = Array.from({ length: B * S }, (_, r) => {
      const row = Array.from(z.subarray(r * W, (r + 1) * W));
      return row.indexOf(Math.max(...row));
    });
    for (const temperature of [0, 1e-3]) {
      for (const seed of [1, 2, 3]) {
        const out = p.evaluate((zz: p.Tensor<['batch', 'seq', 'vocab']>, k: p.KeyTensor) => sampleReplacements(k, zz, temperature), logits, lossKey(seed));
        expect(Array.from(out.data), `temperature ${temperature}`).toEqual(argmax);
      }
    }
  });
});
