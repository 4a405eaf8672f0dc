import { describe, expect, it } from 'vitest';
import {
  accuracy, averageRanks, classF1, classificationMetrics, macroF1, matthewsCorrelation, pearson, regressionMetrics, spearman,
} from '../../finetune/metrics.ts';
import { bestOfEach } from '../../finetune/results.ts';

// Every expected value below is worked out by hand in the comment beside it.
describe('downstream metrics (sklearn / scipy semantics)', () => {
  const gold = [0, 0, 1, 1, 2, 2];
  const pred = [0, 1, 1, 1, 2, 0];

  it('accuracy and macro-F1 of three classes', () => {
    expect(accuracy(pred, gold)).toBeCloseTo(4 / 6, 12);
    // F1 = 2tp / (predicted + actual): class 0 2/4, class 1 4/5, class 2 2/3
    expect(macroF1(pred, gold)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    // a class that is predicted but never occurs counts with F1 0 (sklearn's labels = union)
    expect(macroF1([0, 3], [0, 1])).toBeCloseTo((1 + 0 + 0) / 3, 12);
  });

  it('Matthews correlation: multiclass (Gorodkin) and binary', () => {
    // s = 6, correct 4, true counts (2,2,2), predicted (2,3,1): (4·6 − 12) / sqrt((36 − 14)(36 − 12))
    expect(matthewsCorrelation(pred, gold)).toBeCloseTo(12 / Math.sqrt(22 * 24), 12);
    // binary: TP 2, TN 1, FP 1, FN 1: (2·1 − 1·1) / sqrt(3·3·2·2) = 1/6
    expect(matthewsCorrelation([1, 0, 0, 1, 1], [1, 1, 0, 0, 1])).toBeCloseTo(1 / 6, 12);
    // a constant prediction (or gold) has an undefined correlation: 0, as sklearn
    expect(matthewsCorrelation([1, 1, 1], [0, 1, 1])).toBe(0);
    expect(matthewsCorrelation([0, 1], [0, 1])).toBe(1);
    expect(matthewsCorrelation([1, 0], [0, 1])).toBe(-1);
  });

  it('binary F1 of class 1, reported only for two classes', () => {
    // TP 2, FP 1, FN 1
    expect(classF1([1, 0, 0, 1, 1], [1, 1, 0, 0, 1], 1)).toBeCloseTo(4 / 6, 12);
    expect(classificationMetrics([1, 0, 0, 1, 1], [1, 1, 0, 0, 1], 2).f1).toBeCloseTo(4 / 6, 12);
    expect(classificationMetrics(pred, gold, 3)).not.toHaveProperty('f1');
  });

  it('Pearson and Spearman with tied ranks (scipy rankdata "average")', () => {
    // dx = (−1.5, −.5, .5, 1.5), dy = (−3, −1, 0, 4): 11 / sqrt(5 · 26)
    expect(pearson([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(11 / Math.sqrt(130), 12);
    expect(Array.from(averageRanks([3, 1, 3, 3, 2]))).toEqual([4, 1, 4, 4, 2]);
    // ranks (1, 2.5, 2.5, 4) and (1, 3, 2, 4): 4.5 / sqrt(4.5 · 5) (scipy.stats.spearmanr: 0.9486832980505138)
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.9486832980505138, 12);
    expect(spearman([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(regressionMetrics([1, 2], [0, 4]).mse).toBe(2.5);
  });

  it('the best of each metric over evaluations: highest, lowest for mse, NaN skipped', () => {
    const at = (metrics: Record<string, number>) => ({ step: 1, epoch: 1, endOfEpoch: true, trainLoss: 0, validLoss: 0, metrics }) as never;
    expect(bestOfEach([at({ pearson: NaN, mse: 3 }), at({ pearson: 0.5, mse: 1 }), at({ pearson: 0.2, mse: 2 })])).toEqual({ pearson: 0.5, mse: 1 });
  });
});
