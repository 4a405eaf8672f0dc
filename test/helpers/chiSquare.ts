/**
 * Pearson's χ² goodness-of-fit test for the sampler tests: the statistic and its p-value from the
 * χ² survival function (the regularized upper incomplete gamma function Q(df/2, x/2), by its
 * series below a + 1 and its continued fraction above, as in Numerical Recipes §6.2).
 */

/** ln Γ(z) for z > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
function logGamma(z: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = c[0]!;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-15;
const MAX_TERMS = 10_000;

/** Q(a, x) = Γ(a, x) / Γ(a), the regularized upper incomplete gamma function (a > 0, x >= 0). */
function upperGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefactor = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // P(a, x) = e^{-x} x^a / Γ(a+1) · Σ_n x^n / ((a+1)…(a+n))
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_TERMS && Math.abs(term) > Math.abs(sum) * EPS; n++) sum += term *= x / (a + n);
    return 1 - sum * Math.exp(logPrefactor);
  }
  // Q(a, x) = e^{-x} x^a / Γ(a) · 1/(x+1-a- 1·(1-a)/(x+3-a- …)) by Lentz's method
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(logPrefactor) * h;
}

/** P(X >= x) for X ~ χ²(df). */
export function chiSquareSurvival(x: number, df: number): number {
  return upperGammaQ(df / 2, x / 2);
}

export interface GoodnessOfFit {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
}

/** Pearson's test of `counts` against category probabilities `probs` (summing to 1); df = categories - 1. */
export function chiSquareGoodnessOfFit(counts: readonly number[], probs: readonly number[]): GoodnessOfFit {
  if (counts.length !== probs.length || counts.length < 2) throw new Error(`chiSquareGoodnessOfFit: ${counts.length} counts for ${probs.length} probabilities`);
  const n = counts.reduce((a, c) => a + c, 0);
  const statistic = counts.reduce((s, c, i) => s + (c - n * probs[i]!) ** 2 / (n * probs[i]!), 0);
  const df = counts.length - 1;
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}

/** Counts of each value of `values` among `categories` (a value outside them is an error: the support is wrong). */
export function countsOf(values: ArrayLike<number>, categories: readonly number[]): number[] {
  const index = new Map(categories.map((c, i) => [c, i]));
  const counts = new Array<number>(categories.length).fill(0);
  for (let i = 0; i < values.length; i++) {
    const j = index.get(values[i]!);
    if (j === undefined) throw new Error(`countsOf: value ${values[i]} at ${i} is not one of ${categories.join(', ')}`);
    counts[j]!++;
  }
  return counts;
}
