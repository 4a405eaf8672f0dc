import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  budgetPredictionCount, ceilOfProduct, electraMaskCount, exactMaskCount, lucidrainsRowLimit, roundHalfEven,
} from '../../../corpora/masking/index.ts';

/** round-half-even of a/b for non-negative integers, in exact integer arithmetic. */
const roundRational = (a: number, b: number): number => {
  const q = Math.floor(a / b);
  const twice = 2 * (a - q * b);
  return twice > b ? q + 1 : twice < b ? q : q % 2 === 0 ? q : q + 1;
};
const ceilRational = (a: number, b: number): number => Math.floor((a + b - 1) / b);

describe('count rules', () => {
  it('roundHalfEven is Python 3 round (ties to even)', () => {
    // Python: round(0.5)=0, round(1.5)=2, round(2.5)=2, round(0.15*30)=4, round(0.15*70)=10, round(0.15*90)=14.
    expect([0.5, 1.5, 2.5, 0.15 * 30, 0.15 * 70, 0.15 * 90].map(roundHalfEven)).toEqual([0, 2, 2, 4, 10, 14]);
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 1000 }), (a, b) => {
      expect(roundHalfEven(a / b)).toBe(roundRational(a, b));
    }));
  });

  it('ceilOfProduct(k/100, n) = ceil(k·n/100) exactly (no float noise)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 5000 }), (k, n) => {
      expect(ceilOfProduct(k / 100, n)).toBe(ceilRational(k * n, 100));
    }));
  });

  it('exactMaskCount = floor(p·n + u): the two neighbours of p·n, unbiased', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 600 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (k, n, u) => {
      const c = exactMaskCount(k / 100, n, u);
      // fairseq computes int(p·n + u) in float arithmetic, so the neighbours are those of the float product
      const lo = Math.floor((k / 100) * n);
      expect(c === lo || c === lo + 1).toBe(true);
      expect(c).toBeLessThanOrEqual(n);
    }));
  });

  it('budget predictions = min(max, max(1, round(p·tokens)))', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 20 }), (n, max) => {
      expect(budgetPredictionCount(0.15, n, max)).toBe(Math.min(max, Math.max(1, roundRational(15 * n, 100))));
    }));
  });

  it('ELECTRA intended count = min(ceil(p·n_b), ceil(p·T)); lucidrains row limit in float32 like torch', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 512 }), fc.nat(), (k, T, m) => {
      const n = m % (T + 1);
      expect(electraMaskCount(k / 100, n, T)).toBe(Math.min(ceilRational(k * n, 100), ceilRational(k * T, 100), n));
    }));
    // numpy: ceil(float32(20)*float32(0.15)) = 3, ceil(float32(100)*float32(0.15)) = 16 (float64 gives 15).
    expect(lucidrainsRowLimit(0.15, 20)).toBe(3);
    expect(lucidrainsRowLimit(0.15, 100)).toBe(16);
  });
});
