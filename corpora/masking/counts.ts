/**
 * The count rules of the masking variants, as small pure functions (tested on their own, and
 * shared by the variants so each rule lives in exactly one place).
 */

/** Python 3's round(): to the nearest integer, ties to even (academic-budget BERT uses it). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * ceil(p·n) for the *intended* rules, immune to float noise (0.15·100 may be 15.000000000000002 in
 * binary64): products within 1e-9 above an integer count as that integer.
 */
export const ceilOfProduct = (p: number, n: number): number => Math.max(0, Math.ceil(p * n - 1e-9));

/** fairseq dynamic masking: num = floor(p·n + u) with u ~ U(0,1): unbiased probabilistic rounding. */
export const exactMaskCount = (p: number, n: number, u: number): number => Math.min(n, Math.floor(p * n + u));

/** Academic-budget BERT: min(maxPredictions, max(1, round(p·#tokens))), #tokens counting [CLS]/[SEP]. */
export const budgetPredictionCount = (p: number, tokens: number, maxPredictions: number): number =>
  Math.min(maxPredictions, Math.max(1, roundHalfEven(p * tokens)));

/** ELECTRA intended rule: exactly ceil(p·n_b) maskable positions, capped at ceil(p·T). */
export const electraMaskCount = (p: number, maskable: number, seqLen: number): number =>
  Math.min(ceilOfProduct(p, maskable), ceilOfProduct(p, seqLen), maskable);

/**
 * lucidrains' per-row limit ceil(num_tokens · prob), computed by torch in float32 (so 0.15·100
 * gives 16, not 15). Math.fround of the exact float64 product of two float32 values is the
 * correctly rounded float32 product.
 */
export const lucidrainsRowLimit = (p: number, maskable: number): number => Math.ceil(Math.fround(Math.fround(maskable) * Math.fround(p)));

/** lucidrains' max_masked = math.ceil(prob · seq_len) in Python float64. */
export const lucidrainsMaxMasked = (p: number, seqLen: number): number => Math.ceil(p * seqLen);
