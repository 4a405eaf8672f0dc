import { describe, expect, it } from 'vitest';
import { chiSquareGoodnessOfFit, chiSquareSurvival, countsOf } from './chiSquare.ts';

describe('χ² test helper', () => {
  it('the survival function matches e^{-x/2} at df = 2 and tabulated critical values', () => {
    for (const x of [0, 0.01, 0.7, 3, 12.5, 40]) expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 13);
    // quantiles: P(χ²(df) >= x) = α (Abramowitz & Stegun table 26.8): [x, df, α]
    const table: [number, number, number][] = [
      [3.841458821, 1, 0.05], [6.634896601, 1, 0.01], [16.26623619, 3, 0.001], [20.51500565, 5, 0.001], [23.20925116, 10, 0.01], [124.3421134, 100, 0.05],
      [2.365973884, 3, 0.5], [3.940299136, 10, 0.95], // below a + 1: the series branch
    ];
    for (const [x, df, alpha] of table) expect(Math.abs(chiSquareSurvival(x, df) / alpha - 1), `df ${df}`).toBeLessThan(1e-6);
  });

  it('goodness of fit: exact counts give p = 1, a far-off one the df-2 tail e^{-χ²/2}; values outside the support are errors', () => {
    expect(chiSquareGoodnessOfFit([25, 25, 50], [0.25, 0.25, 0.5])).toEqual({ statistic: 0, df: 2, pValue: 1 });
    expect(chiSquareGoodnessOfFit([40, 10, 50], [0.25, 0.25, 0.5]).pValue).toBeCloseTo(Math.exp(-9), 12); // χ² = 18, df 2
    expect(countsOf([1, -1, 1, 2], [-1, 1, 2])).toEqual([1, 2, 1]);
    expect(() => countsOf([0], [-1, 1])).toThrow(/value 0/);
  });
});
