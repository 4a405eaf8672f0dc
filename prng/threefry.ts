/**
 * Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * Random123). A keyed bijection on pairs of uint32: counter-based, so any element of a random
 * stream can be computed independently — which is what lets kernels generate random bits in place.
 */
const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;
const SKEIN_PARITY = 0x1bd11bda;

/** Writes threefry2x32_20(key, counter) into out[outOffset], out[outOffset + 1]. */
export function threefry2x32Into(
  k0: number,
  k1: number,
  c0: number,
  c1: number,
  out: Uint32Array,
  outOffset: number,
): void {
  const ks0 = k0 >>> 0;
  const ks1 = k1 >>> 0;
  const ks2 = (SKEIN_PARITY ^ ks0 ^ ks1) >>> 0;
  const ks = [ks0, ks1, ks2];
  let x0 = (c0 + ks0) >>> 0;
  let x1 = (c1 + ks1) >>> 0;
  for (let group = 0; group < 5; group++) {
    const rotBase = (group & 1) * 4;
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) >>> 0;
      const rot = ROTATIONS[rotBase + r]!;
      x1 = ((x1 << rot) | (x1 >>> (32 - rot))) >>> 0;
      x1 = (x1 ^ x0) >>> 0;
    }
    const s = group + 1;
    x0 = (x0 + ks[s % 3]!) >>> 0;
    x1 = (x1 + ks[(s + 1) % 3]! + s) >>> 0;
  }
  out[outOffset] = x0;
  out[outOffset + 1] = x1;
}

/** threefry2x32_20(key, counter) as a fresh pair. */
export function threefry2x32(key: readonly [number, number], counter: readonly [number, number]): [number, number] {
  const out = new Uint32Array(2);
  threefry2x32Into(key[0], key[1], counter[0], counter[1], out, 0);
  return [out[0]!, out[1]!];
}

/**
 * Source text of the same function for generated kernels (JavaScript), fully unrolled (no arrays,
 * no loops: it runs once per random element). Generated from the same rotation table as the host
 * implementation; test/prng checks both against the known-answer vectors.
 */
export const THREEFRY_JS_SOURCE = ((): string => {
  // Neighbouring elements share a counter (element i uses word i mod 2 of counter i/2): the last
  // result is remembered so a contiguous loop computes each block once.
  const lines = [
    'let tfC0 = -1, tfC1 = -1, tfK0 = -1, tfK1 = -1, tfX0 = 0, tfX1 = 0;',
    'function threefry2x32(k0, k1, c0, c1, word) {',
    '  k0 >>>= 0; k1 >>>= 0;',
    '  if (c0 === tfC0 && c1 === tfC1 && k0 === tfK0 && k1 === tfK1) return word === 0 ? tfX0 : tfX1;',
    `  const k2 = (${SKEIN_PARITY} ^ k0 ^ k1) >>> 0;`,
  ];
  lines.push('  let x0 = (c0 + k0) >>> 0, x1 = (c1 + k1) >>> 0;');
  const ks = ['k0', 'k1', 'k2'];
  for (let group = 0; group < 5; group++) {
    for (let r = 0; r < 4; r++) {
      const rot = ROTATIONS[(group & 1) * 4 + r]!;
      lines.push(`  x0 = (x0 + x1) >>> 0; x1 = (((x1 << ${rot}) | (x1 >>> ${32 - rot})) ^ x0) >>> 0;`);
    }
    const s = group + 1;
    lines.push(`  x0 = (x0 + ${ks[s % 3]}) >>> 0; x1 = (x1 + ${ks[(s + 1) % 3]} + ${s}) >>> 0;`);
  }
  lines.push('  tfC0 = c0; tfC1 = c1; tfK0 = k0; tfK1 = k1; tfX0 = x0; tfX1 = x1;', '  return word === 0 ? x0 : x1;', '}');
  return lines.join('\n');
})();
