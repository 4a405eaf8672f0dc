import * as ir from '../compiler/ir/ops.ts';
import { type Key, TAG_BITS, TAG_FOLD, TAG_NORMAL_ANGLE, TAG_SPLIT } from '../prng/key.ts';
import type { Axes, Without } from './axes.ts';
import { AxisError, DTypeMismatchError, SizeMismatchError } from './errors.ts';
import { HostTensor } from './host.ts';
import { add, and, cast, cos, eq, log, lt, mod, mul, neg, not, or, shiftRight, sqrt } from './ops/elementwise.ts';
import { full, iota } from './ops/create.ts';
import { argmax, sum } from './ops/reduce.ts';
import { rename, slice } from './ops/shape.ts';
import { Tensor } from './tensor.ts';

/**
 * Randomness inside traced functions: a key is a u32[2] tensor and every sampler is a pure function
 * of it. The bit stream is the host's (prng/) bit for bit, and a kernel can compute any element in
 * place, so e.g. a dropout mask never has to touch memory.
 */
export type KeyTensor = Tensor<['key']>;

/** A host key as an input value for a traced function. */
export const keyInput = (k: Key): HostTensor<['key']> => new HostTensor(['key'] as ['key'], [2], 'u32', k);

function checkKey(op: string, key: Tensor<Axes>): void {
  if (key.dtype !== 'u32' || key.rank !== 1 || key.shape[0] !== 2) {
    throw new DTypeMismatchError(op, `a key is a u32 tensor of 2 words, got ${key.toString()}`);
  }
}

/** bits[i] = threefry2x32(key, (offset + floor(i/2), tag))[i mod 2] over the layout. */
export function randomBits<const A extends Axes>(key: KeyTensor, axes: readonly [...A], shape: readonly number[], tag = TAG_BITS, offset = 0): Tensor<A> {
  checkKey('randomBits', key);
  if (axes.length !== shape.length) throw new AxisError('randomBits', `${axes.length} axis names for ${shape.length} sizes`);
  return new Tensor(ir.randomBits(key.node, shape, tag, offset), axes as A);
}

/** n independent keys (the same keys as the host's splitKey). */
export function splitKey(key: KeyTensor, n = 2): KeyTensor[] {
  const words = randomBits(key, ['key'] as ['key'], [2 * n], TAG_SPLIT);
  return Array.from({ length: n }, (_, j) => slice(words, 'key', 2 * j, 2 * j + 2));
}

/** A key derived from key and a (static) integer, like the host's foldIn. */
export function foldIn(key: KeyTensor, data: number): KeyTensor {
  if (!Number.isInteger(data) || data < 0 || data > 0xffffffff) throw new SizeMismatchError('foldIn', `data must be in [0, 2^32), got ${data}`);
  return randomBits(key, ['key'] as ['key'], [2], TAG_FOLD, data);
}

const TWO_POW_M24 = 2 ** -24;

function bitsToUniform<A extends Axes>(bits: Tensor<A>, open: boolean): Tensor<A> {
  const top = cast(shiftRight(bits, 8), 'f32');
  const shifted: Tensor<Axes> = open ? add(top, 1) : top;
  return mul(shifted, TWO_POW_M24) as unknown as Tensor<A>;
}

/** Uniform in [lo, hi) (24-bit resolution, exact in f32). */
export function uniform<const A extends Axes>(key: KeyTensor, axes: readonly [...A], shape: readonly number[], lo = 0, hi = 1): Tensor<A> {
  const u = bitsToUniform(randomBits<A>(key, axes, shape), false);
  return lo === 0 && hi === 1 ? u : add(mul(u, hi - lo), lo);
}

/** Standard normal (Box–Muller, as prng/normal). */
export function normal<const A extends Axes>(key: KeyTensor, axes: readonly [...A], shape: readonly number[]): Tensor<A> {
  const u1 = bitsToUniform(randomBits<A>(key, axes, shape, TAG_BITS), true);
  const u2 = bitsToUniform(randomBits<A>(key, axes, shape, TAG_NORMAL_ANGLE), false);
  return mul(sqrt(mul(log(u1), -2)), cos(mul(u2, 2 * Math.PI))) as unknown as Tensor<A>;
}

/** True with probability p (a number or a tensor broadcast over the layout). */
export function bernoulli<const A extends Axes>(key: KeyTensor, p: number | Tensor<Axes>, axes: readonly [...A], shape: readonly number[]): Tensor<A> {
  return lt(uniform<A>(key, axes, shape), p) as unknown as Tensor<A>;
}

/** Integers uniform in [lo, hi) as i32 (modulo bias below (hi - lo) / 2^32). */
export function randint<const A extends Axes>(key: KeyTensor, lo: number, hi: number, axes: readonly [...A], shape: readonly number[]): Tensor<A> {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi <= lo) throw new SizeMismatchError('randint', `need integers lo < hi, got [${lo}, ${hi})`);
  const r = cast(mod(randomBits<A>(key, axes, shape), hi - lo), 'i32');
  return lo === 0 ? r : add(r, lo);
}

/**
 * One draw along `axis` from softmax(logits / temperature), by Gumbel-max with ELECTRA's noise
 * -ln(-ln(u + 1e-9) + 1e-9). temperature 0 is the argmax. Returns i32 indices (no gradient).
 */
export function categorical<A extends Axes, X extends A[number]>(
  key: KeyTensor,
  logits: Tensor<A>,
  axis: X,
  temperature = 1,
): Tensor<Without<A, X>> {
  if (temperature === 0) return argmax(logits, axis);
  const u = uniform<A>(key, logits.axes, logits.shape);
  const gumbel = neg(log(add(neg(log(add(u, 1e-9))), 1e-9)));
  return argmax(add(mul(logits, 1 / temperature), gumbel) as unknown as Tensor<A>, axis);
}

/**
 * A uniformly random subset along `axis`: exactly min(k, #eligible) true entries per slice, chosen
 * without replacement among `eligible` positions. k is a number or a tensor over the other axes
 * (per-row counts). Ranks come from pairwise comparison of random bits (ties by position), so the
 * cost is n^2 per slice — fine for sequence lengths.
 */
export function randomSubset<A extends Axes, X extends A[number]>(
  key: KeyTensor,
  eligible: Tensor<A>,
  axis: X,
  k: number | Tensor<Axes>,
): Tensor<A> {
  if (eligible.dtype !== 'bool') throw new DTypeMismatchError('randomSubset', `eligible must be bool, got ${eligible.dtype}`);
  const other = `${axis}__other`;
  const bits = randomBits<A>(key, eligible.axes, eligible.shape);
  const pos = iota<A>(eligible.axes, eligible.shape, axis);
  const bitsJ = rename(bits.untyped(), { [axis]: other });
  const posJ = rename(pos.untyped(), { [axis]: other });
  const eligJ = rename(eligible.untyped(), { [axis]: other });
  // j precedes i: eligible before ineligible, then smaller bits, then smaller position.
  const earlier = or(lt(bitsJ, bits), and(eq(bitsJ, bits), lt(posJ, pos)));
  const precedes = or(and(eligJ, not(eligible)), and(eq(eligJ, eligible), earlier));
  const rank = sum(cast(precedes, 'i32'), other);
  const kT = typeof k === 'number' ? k : k.dtype === 'i32' ? k : cast(k, 'i32');
  return and(eligible, lt(rank, kT as Tensor<Axes>)) as unknown as Tensor<A>;
}

/** A bool tensor that is true everywhere (for randomSubset over all positions). */
export const allTrue = <const A extends Axes>(axes: readonly [...A], shape: readonly number[]): Tensor<A> => full<A>(axes, shape, 1, 'bool');
