/**
 * Downstream metrics as GLUE reports them (sklearn / scipy semantics): accuracy, macro-F1,
 * binary F1 of class 1 (MRPC, QQP), Matthews correlation (CoLA; the multiclass form), Pearson and
 * Spearman correlation (STS-B; Spearman on average ranks of ties). Degenerate cases follow
 * sklearn: a 0/0 precision, recall, F1 or MCC is 0; a correlation of a constant is NaN (scipy).
 */
export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly macroF1: number;
  readonly mcc: number;
  /** F1 of class 1, for two classes only. */
  readonly f1?: number;
}

export interface RegressionMetrics {
  readonly pearson: number;
  readonly spearman: number;
  readonly mse: number;
}

export type DownstreamMetrics = ClassificationMetrics | RegressionMetrics;

/** The metric that picks the best checkpoint: accuracy, or Pearson correlation for regression. */
export const primaryMetric = (kind: 'classification' | 'regression'): 'accuracy' | 'pearson' => (kind === 'classification' ? 'accuracy' : 'pearson');

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function accuracy(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < gold.length; i++) if (pred[i] === gold[i]) right++;
  return gold.length === 0 ? NaN : right / gold.length;
}

/** Counts per class (over the classes that occur in gold or pred): true positives, predicted, actual. */
function classCounts(pred: ArrayLike<number>, gold: ArrayLike<number>): Map<number, { tp: number; predicted: number; actual: number }> {
  const c = new Map<number, { tp: number; predicted: number; actual: number }>();
  const at = (k: number) => c.get(k) ?? (c.set(k, { tp: 0, predicted: 0, actual: 0 }), c.get(k)!);
  for (let i = 0; i < gold.length; i++) {
    at(pred[i]!).predicted++;
    at(gold[i]!).actual++;
    if (pred[i] === gold[i]) at(gold[i]!).tp++;
  }
  return c;
}

const f1Of = (k: { tp: number; predicted: number; actual: number }): number => ratio(2 * k.tp, k.predicted + k.actual);

/** Unweighted mean of the per-class F1 over every class in gold or pred (sklearn average='macro'). */
export function macroF1(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  const c = [...classCounts(pred, gold).values()];
  return c.length === 0 ? NaN : c.reduce((s, k) => s + f1Of(k), 0) / c.length;
}

/** F1 of one class (sklearn's binary F1 with pos_label = `positive`). */
export function classF1(pred: ArrayLike<number>, gold: ArrayLike<number>, positive: number): number {
  return f1Of(classCounts(pred, gold).get(positive) ?? { tp: 0, predicted: 0, actual: 0 });
}

/** Matthews correlation, multiclass (sklearn's matthews_corrcoef, Gorodkin's R_K). */
export function matthewsCorrelation(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  const s = gold.length;
  let correct = 0;
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (const k of classCounts(pred, gold).values()) {
    correct += k.tp;
    tp += k.actual * k.predicted;
    pp += k.predicted * k.predicted;
    tt += k.actual * k.actual;
  }
  const den = Math.sqrt((s * s - pp) * (s * s - tt));
  return den === 0 ? 0 : (correct * s - tp) / den;
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** 1-based ranks, ties sharing the mean of their ranks (scipy's rankdata 'average'). */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const ranks = new Float64Array(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1]!] === x[order[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

export const spearman = (x: ArrayLike<number>, y: ArrayLike<number>): number => pearson(averageRanks(x), averageRanks(y));

export function classificationMetrics(pred: ArrayLike<number>, gold: ArrayLike<number>, numLabels: number): ClassificationMetrics {
  return {
    accuracy: accuracy(pred, gold),
    macroF1: macroF1(pred, gold),
    mcc: matthewsCorrelation(pred, gold),
    ...(numLabels === 2 ? { f1: classF1(pred, gold, 1) } : {}),
  };
}

export function regressionMetrics(pred: ArrayLike<number>, gold: ArrayLike<number>): RegressionMetrics {
  let se = 0;
  for (let i = 0; i < gold.length; i++) se += (pred[i]! - gold[i]!) ** 2;
  return { pearson: pearson(pred, gold), spearman: spearman(pred, gold), mse: gold.length === 0 ? NaN : se / gold.length };
}
