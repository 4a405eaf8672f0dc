import { describe, expect, it } from 'vitest';
import { formatMeanStd, meanStd, ranks, spearman } from '../../study/report/stats.ts';

describe('report statistics', () => {
  it('mean and sample std; one value has no spread', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3), n: 4 });
    expect(Number.isNaN(meanStd([7]).std)).toBe(true);
    expect(formatMeanStd([1, 2, 3, 4], 3)).toBe('2.5 ± 1.29');
    expect(formatMeanStd([7])).toBe('7');
  });

  it("Spearman's rho by hand: ties share ranks, a monotone map gives 1, a reversal -1", () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1, 12);
    // d = rank differences (0, -2, 1, 1) -> 1 - 6·6 / (4·15) = 0.4
    expect(spearman([1, 2, 3, 4], [1, 4, 2, 3])).toBeCloseTo(0.4, 12);
    expect(Number.isNaN(spearman([1, 2], [2, 1]))).toBe(true);
  });
});
