/** Mean and sample standard deviation (n − 1; NaN for one value). */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  return { mean, std, n };
}

/** Ranks 1..n, ties sharing their average rank. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) out[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/** Spearman's rank correlation (Pearson's of the ranks, ties averaged); NaN with fewer than 3 pairs or a constant side. */
export const spearman = (x: readonly number[], y: readonly number[]): number => (x.length < 3 ? Number.NaN : pearson(ranks(x), ranks(y)));

/** "mean ± std" with `digits` significant digits; a single value without the ±. */
export function formatMeanStd(values: readonly number[], digits = 4): string {
  if (values.length === 0) return '–';
  const { mean, std, n } = meanStd(values);
  const f = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : String(v));
  return n > 1 ? `${f(mean)} ± ${f(std)}` : f(mean);
}
