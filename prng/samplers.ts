import { PretextError } from '../util/errors.ts';
import { randomBits, TAG_BITS, TAG_NORMAL_ANGLE, type Key } from './key.ts';

/**
 * Host-side samplers over plain typed arrays (data pipelines, masking, shuffling). Their in-graph
 * twins in dsl/random compute the same conversions from the same bit stream.
 */
export class SamplerError extends PretextError {}

const TWO_POW_M24 = 2 ** -24;

/** Uniform in [0, 1) from the top 24 bits: exactly representable in float32. */
export const bitsToUniform = (b: number): number => (b >>> 8) * TWO_POW_M24;
/** Uniform in (0, 1], for logs. */
export const bitsToOpenUniform = (b: number): number => ((b >>> 8) + 1) * TWO_POW_M24;

export function uniform(k: Key, n: number, lo = 0, hi = 1): Float64Array {
  const bits = randomBits(k, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * bitsToUniform(bits[i]!);
  return out;
}

/** Standard normal via Box–Muller (radius from TAG_BITS, angle from TAG_NORMAL_ANGLE). */
export function normal(k: Key, n: number): Float64Array {
  const r = randomBits(k, n, TAG_BITS);
  const a = randomBits(k, n, TAG_NORMAL_ANGLE);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.sqrt(-2 * Math.log(bitsToOpenUniform(r[i]!))) * Math.cos(2 * Math.PI * bitsToUniform(a[i]!));
  }
  return out;
}

export function bernoulli(k: Key, p: number, n: number): Uint8Array {
  if (!(p >= 0 && p <= 1)) throw new SamplerError(`bernoulli: p must be in [0, 1], got ${p}`, { p });
  const bits = randomBits(k, n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = bitsToUniform(bits[i]!) < p ? 1 : 0;
  return out;
}

/** Integers uniform in [lo, hi) (modulo bias below (hi - lo) / 2^32). */
export function randint(k: Key, lo: number, hi: number, n: number): Int32Array {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi <= lo || hi - lo > 2 ** 31) {
    throw new SamplerError(`randint: need integers lo < hi with hi - lo <= 2^31, got [${lo}, ${hi})`, { lo, hi });
  }
  const bits = randomBits(k, n);
  const out = new Int32Array(n);
  const span = hi - lo;
  for (let i = 0; i < n; i++) out[i] = lo + (bits[i]! % span);
  return out;
}

/** Gumbel noise -ln(-ln(u + 1e-9) + 1e-9), the form ELECTRA's reference code uses. */
export const gumbelFromUniform = (u: number): number => -Math.log(-Math.log(u + 1e-9) + 1e-9);

/**
 * One draw per row of `logits` (rows x classes, row-major) from softmax(logits / temperature), by
 * Gumbel-max. temperature 0 gives the argmax (first maximum).
 */
export function categorical(k: Key, logits: ArrayLike<number>, classes: number, temperature = 1): Int32Array {
  if (!(temperature >= 0)) throw new SamplerError(`categorical: temperature must be >= 0, got ${temperature}`, { temperature });
  if (classes < 1 || logits.length % classes !== 0) {
    throw new SamplerError(`categorical: ${logits.length} logits do not split into rows of ${classes}`, { classes });
  }
  const rows = logits.length / classes;
  const bits = temperature > 0 ? randomBits(k, logits.length) : undefined;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = -Infinity;
    let arg = 0;
    for (let c = 0; c < classes; c++) {
      const i = r * classes + c;
      const v = bits ? logits[i]! / temperature + gumbelFromUniform(bitsToUniform(bits[i]!)) : logits[i]!;
      if (v > best) {
        best = v;
        arg = c;
      }
    }
    out[r] = arg;
  }
  return out;
}

/**
 * Ranks of n random keys (ties broken by index): a uniformly random permutation's inverse.
 * rank[i] < k selects a uniformly random k-subset — the in-graph sampler uses the same rule.
 */
export function randomRanks(k: Key, n: number): Int32Array {
  const bits = randomBits(k, n);
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => bits[a]! - bits[b]! || a - b);
  const rank = new Int32Array(n);
  for (let r = 0; r < n; r++) rank[order[r]!] = r;
  return rank;
}

/** A uniformly random permutation of 0..n-1. */
export function permutation(k: Key, n: number): Int32Array {
  const bits = randomBits(k, n);
  return Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => bits[a]! - bits[b]! || a - b);
}

/** k distinct indices of 0..n-1, uniformly without replacement, in increasing order. */
export function sampleWithoutReplacement(k: Key, n: number, count: number): Int32Array {
  if (!Number.isInteger(count) || count < 0 || count > n) {
    throw new SamplerError(`sampleWithoutReplacement: cannot draw ${count} of ${n}`, { n, count });
  }
  return permutation(k, n).subarray(0, count).sort();
}
