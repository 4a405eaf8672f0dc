import { describe, expect, it } from 'vitest';
import { threefry2x32, THREEFRY_JS_SOURCE } from '../../prng/index.ts';

// Random123 known-answer vectors for threefry2x32_20 (kat_vectors).
const KAT: Array<{ key: [number, number]; ctr: [number, number]; out: [number, number] }> = [
  { key: [0, 0], ctr: [0, 0], out: [0x6b200159, 0x99ba4efe] },
  { key: [0xffffffff, 0xffffffff], ctr: [0xffffffff, 0xffffffff], out: [0x1cb996fc, 0xbb002be7] },
  { key: [0x13198a2e, 0x03707344], ctr: [0x243f6a88, 0x85a308d3], out: [0xc4923a9c, 0x483df7a0] },
];

describe('threefry2x32_20', () => {
  it.each(KAT)('matches the Random123 vector for key $key', ({ key, ctr, out }) => {
    expect(threefry2x32(key, ctr)).toEqual(out);
  });

  it('the kernel source computes the same function', () => {
    const fn = new Function(`${THREEFRY_JS_SOURCE}; return threefry2x32;`)() as (
      k0: number, k1: number, c0: number, c1: number, w: number) => number;
    for (const { key, ctr, out } of KAT) {
      expect([fn(key[0], key[1], ctr[0], ctr[1], 0), fn(key[0], key[1], ctr[0], ctr[1], 1)]).toEqual(out);
    }
  });
});
