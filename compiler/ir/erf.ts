/**
 * erf in float64 to ~1e-16 (JavaScript has no Math.erf). Series with positive terms for |x| < 2.5
 * (no cancellation), a continued fraction for erfc beyond. The reference interpreter needs this
 * precision: finite-difference gradient checks divide its error by the step size.
 */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (2n+1)!!
    const x2 = 2 * ax * ax;
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= x2 / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  // erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated bottom-up.
  let k = ax;
  for (let n = 80; n >= 1; n--) k = ax + n / 2 / k;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / k;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

/**
 * erf for float32 kernels: absolute error below ~2e-7. Taylor near 0 (keeps relative accuracy
 * for tiny x), Numerical Recipes' Chebyshev erfc fit (fractional error < 1.2e-7) elsewhere.
 * Exported as source text too, so generated kernels use the very same function.
 */
export const ERF32_JS_SOURCE = `function erf32(x) {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const x2 = x * x;
    return 1.1283791670955126 * x * (1 + x2 * (-1 / 3 + x2 * (1 / 10 + x2 * (-1 / 42 + x2 * (1 / 216 + x2 * (-1 / 1320))))));
  }
  const t = 1 / (1 + 0.5 * ax);
  const erfc = t * Math.exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x < 0 ? erfc - 1 : 1 - erfc;
}`;

export const erf32 = new Function(`${ERF32_JS_SOURCE}; return erf32;`)() as (x: number) => number;
