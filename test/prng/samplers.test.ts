import { describe, expect, it } from 'vitest';
import {
  bernoulli, categorical, foldIn, key, normal, permutation, randint, randomBits, randomRanks, sampleWithoutReplacement, splitKey, uniform,
} from '../../prng/index.ts';

const N = 200_000;
const mean = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
};
const variance = (a: ArrayLike<number>) => {
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - m) ** 2;
  return s / a.length;
};
/** Pearson chi-square statistic. */
const chiSquare = (counts: number[], expected: number[]) => counts.reduce((s, c, i) => s + (c - expected[i]!) ** 2 / expected[i]!, 0);
/** Upper 99.9% point of chi-square with k degrees of freedom (Wilson–Hilferty). */
const chi2Critical = (k: number) => k * (1 - 2 / (9 * k) + 3.09 * Math.sqrt(2 / (9 * k))) ** 3;

describe('host samplers (fixed keys, tolerances from the sampling error)', () => {
  it('uniform has mean 1/2 and variance 1/12', () => {
    const u = uniform(key(1), N);
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(variance(u) - 1 / 12)).toBeLessThan(0.002);
    expect(u.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(0);
    expect(u.reduce((a, b) => Math.max(a, b))).toBeLessThan(1);
  });

  it('normal has mean 0, variance 1, and Gaussian tails', () => {
    const z = normal(key(2), N);
    expect(Math.abs(mean(z))).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(variance(z) - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    const tail = Array.from(z).filter((v) => Math.abs(v) > 1.96).length / N;
    expect(Math.abs(tail - 0.05)).toBeLessThan(5 * Math.sqrt(0.05 * 0.95 / N));
  });

  it('bernoulli has rate p', () => {
    for (const p of [0.15, 0.5, 0.9]) {
      const b = bernoulli(key(3), p, N);
      expect(Math.abs(mean(b) - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
    }
  });

  it('randint is uniform over [lo, hi) (chi-square)', () => {
    const r = randint(key(4), -3, 7, N);
    const counts = new Array(10).fill(0);
    for (const v of r) counts[v + 3]++;
    expect(r.reduce((a, b) => Math.min(a, b))).toBe(-3);
    expect(r.reduce((a, b) => Math.max(a, b))).toBe(6);
    expect(chiSquare(counts, new Array(10).fill(N / 10))).toBeLessThan(chi2Critical(9));
  });

  it('categorical draws match softmax(logits / temperature) (chi-square over 1e5 draws); temperature 0 is argmax', () => {
    const logits = [0.5, -1, 2, 0, 1.2];
    for (const temperature of [1, 0.5]) {
      const rows = 100_000;
      const all = new Float64Array(rows * 5);
      for (let r = 0; r < rows; r++) all.set(logits, r * 5);
      const draws = categorical(key(5), all, 5, temperature);
      const counts = new Array(5).fill(0);
      for (const d of draws) counts[d]++;
      const e = logits.map((l) => Math.exp(l / temperature));
      const z = e.reduce((a, b) => a + b, 0);
      expect(chiSquare(counts, e.map((v) => (rows * v) / z))).toBeLessThan(chi2Critical(4));
    }
    expect(Array.from(categorical(key(5), logits, 5, 0))).toEqual([2]);
  });

  it('sampling without replacement: distinct, sorted, exact count, every index equally likely', () => {
    const counts = new Array(20).fill(0);
    const trials = 20_000;
    for (let t = 0; t < trials; t++) {
      const s = sampleWithoutReplacement(foldIn(key(6), t), 20, 3);
      expect(new Set(s).size).toBe(3);
      expect(Array.from(s)).toEqual(Array.from(s).sort((a, b) => a - b));
      for (const i of s) counts[i]++;
    }
    expect(chiSquare(counts, new Array(20).fill((trials * 3) / 20))).toBeLessThan(chi2Critical(19));
    expect(() => sampleWithoutReplacement(key(0), 3, 4)).toThrow(/cannot draw 4 of 3/);
  });

  it('permutations and ranks are permutations, and inverse to each other', () => {
    const perm = permutation(key(7), 50);
    expect(Array.from(perm).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const rank = randomRanks(key(7), 50);
    perm.forEach((idx, r) => expect(rank[idx]).toBe(r));
  });

  it('same key gives the same bits; split and foldIn give distinct, uncorrelated streams', () => {
    expect(Array.from(randomBits(key(9), 10))).toEqual(Array.from(randomBits(key(9), 10)));
    const keys = [...splitKey(key(9), 4), foldIn(key(9), 0), foldIn(key(9), 1), key(9)];
    const words = new Set(keys.map((k) => `${k[0]},${k[1]}`));
    expect(words.size).toBe(keys.length);
    const streams = keys.map((k) => uniform(k, 50_000));
    for (let i = 0; i < streams.length; i++) {
      for (let j = i + 1; j < streams.length; j++) {
        const a = streams[i]!;
        const b = streams[j]!;
        const ma = mean(a);
        const mb = mean(b);
        let c = 0;
        for (let e = 0; e < a.length; e++) c += (a[e]! - ma) * (b[e]! - mb);
        const corr = c / a.length / Math.sqrt(variance(a) * variance(b));
        expect(Math.abs(corr)).toBeLessThan(5 / Math.sqrt(a.length));
      }
    }
  });
});
