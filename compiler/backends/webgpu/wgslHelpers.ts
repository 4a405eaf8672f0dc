/**
 * WGSL helper functions the generated kernels call, with the CPU backend's semantics
 * (compiler/ir/scalarOps.ts): casts that wrap modulo 2^32 and round to nearest, threefry2x32,
 * the CPU's erf and tanh fits, log1p, pow and fmod as JavaScript defines them. A kernel includes
 * the helpers it uses (and theirs).
 */
export type WgslHelper = 'f2u' | 'f2i' | 'fbool' | 'u2f' | 'i2f' | 'threefry' | 'erf' | 'tanh' | 'log1p' | 'pow' | 'fmod' | 'idx' | 'nan';

interface HelperDef {
  readonly deps: readonly WgslHelper[];
  readonly source: string;
}

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;

/** threefry2x32 with 20 rounds, unrolled (prng/threefry.ts is the definition). */
function threefrySource(): string {
  const lines = ['fn px_threefry(k0: u32, k1: u32, c0: u32, c1: u32) -> vec2<u32> {', '  let k2 = 0x1bd11bdau ^ k0 ^ k1;', '  var x0 = c0 + k0;', '  var x1 = c1 + k1;'];
  const ks = ['k0', 'k1', 'k2'];
  for (let group = 0; group < 5; group++) {
    for (let r = 0; r < 4; r++) {
      const rot = ROTATIONS[(group & 1) * 4 + r]!;
      lines.push(`  x0 = x0 + x1; x1 = ((x1 << ${rot}u) | (x1 >> ${32 - rot}u)) ^ x0;`);
    }
    const s = group + 1;
    lines.push(`  x0 = x0 + ${ks[s % 3]}; x1 = x1 + ${ks[(s + 1) % 3]} + ${s}u;`);
  }
  lines.push('  return vec2<u32>(x0, x1);', '}');
  return lines.join('\n');
}

const HELPERS: Record<WgslHelper, HelperDef> = {
  nan: { deps: [], source: 'fn px_nan() -> f32 { return bitcast<f32>(0x7fc00000u | px_zero); }' },
  // float -> u32 as JavaScript's Math.trunc(x) >>> 0: NaN and infinities give 0, the rest wraps
  // modulo 2^32 (|x| >= 2^31 is an integer, and x - 2^32 floor(x / 2^32) is exact in f32)
  f2u: {
    deps: [],
    source: `fn px_f2u(x: f32) -> u32 {
  let bits = bitcast<u32>(x) & 0x7fffffffu;
  if (bits >= 0x7f800000u) { return 0u; }
  if (bits < 0x4f000000u) { return bitcast<u32>(i32(x)); }
  let r = x - 4294967296.0 * floor(x * 2.3283064365386963e-10);
  return u32(r);
}`,
  },
  f2i: { deps: ['f2u'], source: 'fn px_f2i(x: f32) -> i32 { return bitcast<i32>(px_f2u(x)); }' },
  // x != 0 and not NaN, by bits (immune to a compiler that assumes no NaN)
  fbool: { deps: [], source: 'fn px_fbool(x: f32) -> u32 {\n  let bits = bitcast<u32>(x) & 0x7fffffffu;\n  return select(0u, 1u, bits != 0u && bits <= 0x7f800000u);\n}' },
  // integers -> f32 rounded to nearest (even), as Math.fround: the two 16-bit halves are exact, their sum rounds once
  u2f: { deps: [], source: 'fn px_u2f(x: u32) -> f32 {\n  if (x < 16777216u) { return f32(x); }\n  return f32(x >> 16u) * 65536.0 + f32(x & 0xffffu);\n}' },
  i2f: { deps: ['u2f'], source: 'fn px_i2f(x: i32) -> f32 {\n  let m = px_u2f(select(bitcast<u32>(x), 0u - bitcast<u32>(x), x < 0));\n  return select(m, -m, x < 0);\n}' },
  threefry: { deps: [], source: threefrySource() },
  // compiler/ir/erf.ts's erf32: Taylor near 0, Numerical Recipes' Chebyshev erfc fit elsewhere
  erf: {
    deps: [],
    source: `fn px_erf(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.5) {
    let x2 = x * x;
    return 1.1283791670955126 * x * (1.0 + x2 * (-0.3333333333333333 + x2 * (0.1 + x2 * (-0.023809523809523808 + x2 * (0.004629629629629629 + x2 * -0.0007575757575757576)))));
  }
  let t = 1.0 / (1.0 + 0.5 * ax);
  let erfc = t * exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(1.0 - erfc, erfc - 1.0, x < 0.0);
}`,
  },
  // the CPU backend's tanh32 (Eigen's rational fit), saturating beyond |x| = 7.9 (WGSL's tanh overflows there on some drivers)
  tanh: {
    deps: [],
    source: `fn px_tanh(x0: f32) -> f32 {
  if (x0 != x0) { return x0; }
  let x = clamp(x0, -7.90531110763549805, 7.90531110763549805);
  let x2 = x * x;
  let p = x * (4.89352455891786e-3 + x2 * (6.37261928875436e-4 + x2 * (1.48572235717979e-5 + x2 * (5.12229709037114e-8 +
    x2 * (-8.60467152213735e-11 + x2 * (2.00018790482477e-13 + x2 * -2.76076847742355e-16))))));
  return p / (4.89352518554385e-3 + x2 * (2.26843463243900e-3 + x2 * (1.18534705686654e-4 + x2 * 1.19825839466702e-6)));
}`,
  },
  // log(1 + x) without losing small x (Goldberg's correction)
  log1p: { deps: [], source: 'fn px_log1p(x: f32) -> f32 {\n  let u = 1.0 + x;\n  if (u == 1.0) { return x; }\n  return log(u) * (x / (u - 1.0));\n}' },
  // Math.pow: negative bases with integer exponents keep their sign; other negative bases give NaN
  pow: {
    deps: ['nan'],
    source: `fn px_pow(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (b == 1.0) { return a; }
  if (b == 2.0) { return a * a; }
  let r = exp2(b * log2(abs(a)));
  if (a < 0.0) {
    if (fract(b) != 0.0) { return px_nan(); }
    if (fract(b * 0.5) != 0.0) { return -r; }
  }
  return r;
}`,
  },
  // JavaScript's % on floats (truncated remainder), 0 for a zero divisor as scalarOps defines mod
  fmod: {
    deps: [],
    source: `fn px_fmod(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 0.0; }
  var r = a - b * trunc(a / b);
  if (abs(r) >= abs(b)) { r = r - b * trunc(r / b); }
  if (r != 0.0 && (r < 0.0) != (a < 0.0)) { r = r + select(abs(b), -abs(b), a < 0.0); }
  return r;
}`,
  },
  // a checked gather/scatter index: out of range records the site (reported after the run) and reads element 0
  idx: {
    deps: [],
    source: `fn px_idx(v: i32, n: i32, site: u32, guard: bool) -> i32 {
  if (v >= 0 && v < n) { return v; }
  if (guard) { atomicMax(&px_status[0], site); }
  return 0;
}`,
  },
};

/** The sources of `used` helpers and their dependencies, each once. */
export function helperSources(used: Iterable<WgslHelper>): string[] {
  const out = new Map<WgslHelper, string>();
  const add = (h: WgslHelper) => {
    if (out.has(h)) return;
    for (const d of HELPERS[h].deps) add(d);
    out.set(h, HELPERS[h].source);
  };
  for (const h of used) add(h);
  return [...out.values()];
}
