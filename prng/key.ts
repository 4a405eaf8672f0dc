import { PretextError } from '../util/errors.ts';
import { threefry2x32Into } from './threefry.ts';

/**
 * A PRNG key: two uint32 words. Keys are values — every random function takes one and the same
 * key always gives the same bits. Derive new keys with `splitKey` / `foldIn`; never reuse a key for
 * two different purposes.
 */
export type Key = Readonly<Uint32Array> & { readonly __key: unique symbol };

/** Domain-separation tags (the counter's second word) so bits, splits and fold-ins never collide. */
export const TAG_BITS = 0;
export const TAG_SPLIT = 1;
export const TAG_FOLD = 2;
export const TAG_NORMAL_ANGLE = 3;

export class KeyError extends PretextError {}

const asKey = (words: Uint32Array): Key => words as unknown as Key;

/** A key from an integer seed in [0, 2^53). */
export function key(seed: number): Key {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new KeyError(`key(seed): seed must be a non-negative safe integer, got ${seed}`, { seed });
  }
  return asKey(Uint32Array.of(Math.floor(seed / 2 ** 32) >>> 0, seed >>> 0));
}

/** A key from its two words (e.g. read back from a checkpoint). */
export function keyFromWords(words: ArrayLike<number>): Key {
  if (words.length !== 2) throw new KeyError(`a key has 2 uint32 words, got ${words.length}`, { length: words.length });
  return asKey(Uint32Array.from(words, (w) => w >>> 0));
}

/** n independent keys: key j = threefry(key, (j, TAG_SPLIT)). */
export function splitKey(k: Key, n = 2): Key[] {
  if (!Number.isInteger(n) || n < 1) throw new KeyError(`splitKey: n must be a positive integer, got ${n}`, { n });
  const out: Key[] = [];
  for (let j = 0; j < n; j++) {
    const w = new Uint32Array(2);
    threefry2x32Into(k[0]!, k[1]!, j, TAG_SPLIT, w, 0);
    out.push(asKey(w));
  }
  return out;
}

/** A key derived from `k` and an integer (a step number, a document id...). */
export function foldIn(k: Key, data: number): Key {
  if (!Number.isInteger(data) || data < 0 || data > 0xffffffff) {
    throw new KeyError(`foldIn: data must be an integer in [0, 2^32), got ${data}`, { data });
  }
  const w = new Uint32Array(2);
  threefry2x32Into(k[0]!, k[1]!, data, TAG_FOLD, w, 0);
  return asKey(w);
}

/**
 * n random uint32 words: bits[i] = threefry(key, (offset + floor(i/2), tag))[i mod 2].
 * The in-graph `randomBits` primitive computes exactly the same stream.
 */
export function randomBits(k: Key, n: number, tag = TAG_BITS, offset = 0): Uint32Array {
  const out = new Uint32Array(n + (n & 1));
  for (let c = 0; 2 * c < n; c++) threefry2x32Into(k[0]!, k[1]!, (offset + c) >>> 0, tag, out, 2 * c);
  return n & 1 ? out.subarray(0, n) : out;
}
