/**
 * Helper functions the generated gpu.js kernels call, written in the JavaScript subset gpu.js
 * transpiles (to JavaScript, WebAssembly, WGSL or GLSL).
 *
 * Integers. gpu.js types a value Integer (i32 in WGSL/wasm) inside one expression and in typed
 * function parameters/returns, but a local variable initialised with an integer decays to a float.
 * Every 32-bit value (i32 or u32, kept as its int32 bit pattern) therefore lives either inside an
 * expression or, when it must be held in a local, as two exact 16-bit halves `h` and `l`,
 * rejoined by `((h << 16) | l)`. Values provably below 2^24 (indices, counters) may sit in one
 * float local. With that discipline, add/sub/xor/shifts are exact i32 operations everywhere (WGSL
 * and wasm wrap; the JavaScript of cpu mode wraps with `| 0`).
 *
 * Division. gpu.js's `/` and `%` are always float, and WGSL division is only accurate to 2.5 ULP,
 * so integer division takes a float estimate and corrects it with exact integer arithmetic.
 */

export type HelperName =
  | 'pxIdivS' | 'pxImodS' | 'pxIdivL' | 'pxImodL'
  | 'pxI2f' | 'pxU2f' | 'pxF2u' | 'pxB2i' | 'pxImul' | 'pxUlt' | 'pxUmod' | 'pxUmodC' | 'pxSmod' | 'pxSmodC' | 'pxClamp'
  | 'pxTf' | 'pxErf' | 'pxTanh' | 'pxPow' | 'pxFmod' | 'pxNaN'
  // integer operators as functions: called only by webgl2 code (intOps.ts)
  | 'pxI' | 'pxInt' | 'pxJoin' | 'pxHi' | 'pxLo' | 'pxAnd' | 'pxOr' | 'pxXor' | 'pxShl' | 'pxShr' | 'pxUshr';

export interface HelperDef {
  /** JavaScript for gpu.js to transpile. */
  readonly source: string;
  /** webgl2: a native GLSL ES 3.00 replacement (gpu.js's GLSL has no exact bitwise operators). */
  readonly glsl?: string;
  readonly argumentTypes: Readonly<Record<string, 'Integer' | 'Number'>>;
  readonly returnType: 'Integer' | 'Number';
  readonly deps: readonly HelperName[];
}

const I = 'Integer' as const;
const N = 'Number' as const;

/** threefry2x32-20 over int32 bit patterns (prng/threefry.ts), state held in 16-bit halves. */
function threefrySource(): string {
  const ROT = [13, 15, 26, 6, 17, 29, 16, 24];
  const lines: string[] = [];
  const join = (n: string) => `((${n}h << 16) | ${n}l)`;
  const bind = (n: string, e: string) => lines.push(`  let ${n}h = ((${e}) >> 16);`, `  let ${n}l = ((${e}) & 65535);`);
  bind('k2', '(466688986 ^ k0) ^ k1');
  bind('x0', '(c0 + k0) | 0');
  bind('y0', '(c1 + k1) | 0');
  const ks = ['k0', 'k1', join('k2')];
  let x = 'x0';
  let y = 'y0';
  let n = 1;
  for (let group = 0; group < 5; group++) {
    for (let r = 0; r < 4; r++) {
      const rot = ROT[(group & 1) * 4 + r]!;
      const nx = `x${n}`;
      const ny = `y${n}`;
      n++;
      bind(nx, `(${join(x)} + ${join(y)}) | 0`);
      bind(ny, `((${join(y)} << ${rot}) | (${join(y)} >>> ${32 - rot})) ^ ${join(nx)}`);
      x = nx;
      y = ny;
    }
    const s = group + 1;
    const nx = `x${n}`;
    const ny = `y${n}`;
    n++;
    bind(nx, `(${join(x)} + ${ks[s % 3]}) | 0`);
    bind(ny, `((${join(y)} + ${ks[(s + 1) % 3]}) + ${s}) | 0`);
    x = nx;
    y = ny;
  }
  lines.push(`  if (w === 0) {`, `    return ${join(x)};`, `  }`, `  return ${join(y)};`);
  return `function pxTf(k0, k1, c0, c1, w) {\n${lines.join('\n')}\n}`;
}

/** threefry2x32-20 in GLSL ES 3.00 uint arithmetic. */
function threefryGlsl(): string {
  const ROT = [13, 15, 26, 6, 17, 29, 16, 24];
  const lines = ['int pxTf(int k0i, int k1i, int c0, int c1, int w) {', '  uint k0 = uint(k0i); uint k1 = uint(k1i); uint k2 = 466688986u ^ k0 ^ k1;',
    '  uint x = uint(c0) + k0; uint y = uint(c1) + k1;'];
  const ks = ['k0', 'k1', 'k2'];
  for (let group = 0; group < 5; group++) {
    for (let r = 0; r < 4; r++) {
      const rot = ROT[(group & 1) * 4 + r]!;
      lines.push(`  x += y; y = ((y << ${rot}u) | (y >> ${32 - rot}u)) ^ x;`);
    }
    const s = group + 1;
    lines.push(`  x += ${ks[s % 3]}; y += ${ks[(s + 1) % 3]} + ${s}u;`);
  }
  lines.push('  return w == 0 ? int(x) : int(y);', '}');
  return lines.join('\n');
}

const glslOp = (name: string, body: string, args = 'int a, int b') => `int ${name}(${args}) {\n  return ${body};\n}`;

export const HELPERS: Record<HelperName, HelperDef> = {
  // floor(a / d) and the floor remainder for a constant 2 <= d < 2^23 and any int32 a: the first
  // estimate is off by at most a * 2^-22, which the second (on a remainder below 2^24) absorbs.
  pxIdivS: {
    source: `function pxIdivS(a, d) {
  let q1 = Math.floor(a / d);
  let r1 = a - (q1 | 0) * d;
  let q2 = Math.floor(r1 / d);
  let r2 = r1 - q2 * d;
  if (r2 < 0) {
    return (q1 | 0) + (q2 | 0) - 1;
  }
  if (r2 >= d) {
    return (q1 | 0) + (q2 | 0) + 1;
  }
  return (q1 | 0) + (q2 | 0);
}`,
    glsl: 'int pxIdivS(int a, int d) {\n  int q = a / d;\n  if (q * d > a) { q -= 1; }\n  return q;\n}',
    argumentTypes: { a: I, d: I }, returnType: I, deps: [],
  },
  pxImodS: {
    source: `function pxImodS(a, d) {
  let q1 = Math.floor(a / d);
  let r1 = a - (q1 | 0) * d;
  let q2 = Math.floor(r1 / d);
  let r2 = r1 - q2 * d;
  if (r2 < 0) {
    return (r2 | 0) + d;
  }
  if (r2 >= d) {
    return (r2 | 0) - d;
  }
  return r2 | 0;
}`,
    glsl: 'int pxImodS(int a, int d) {\n  int q = a / d;\n  if (q * d > a) { q -= 1; }\n  return a - q * d;\n}',
    argumentTypes: { a: I, d: I }, returnType: I, deps: [],
  },
  // d >= 2^23: the quotient of an int32 is below 2^8, so one estimate is off by at most one.
  pxIdivL: {
    source: `function pxIdivL(a, d) {
  let q = Math.floor(a / d);
  if (a - (q | 0) * d < 0) {
    return (q | 0) - 1;
  }
  if (a - (q | 0) * d >= d) {
    return (q | 0) + 1;
  }
  return q | 0;
}`,
    glsl: 'int pxIdivL(int a, int d) {\n  int q = a / d;\n  if (q * d > a) { q -= 1; }\n  return q;\n}',
    argumentTypes: { a: I, d: I }, returnType: I, deps: [],
  },
  pxImodL: {
    source: `function pxImodL(a, d) {
  let q = Math.floor(a / d);
  if (a - (q | 0) * d < 0) {
    return (a - (q | 0) * d) + d;
  }
  if (a - (q | 0) * d >= d) {
    return (a - (q | 0) * d) - d;
  }
  return a - (q | 0) * d;
}`,
    glsl: 'int pxImodL(int a, int d) {\n  int q = a / d;\n  if (q * d > a) { q -= 1; }\n  return a - q * d;\n}',
    argumentTypes: { a: I, d: I }, returnType: I, deps: [],
  },
  // An int32 as a float (the return type does the conversion).
  pxI2f: { source: 'function pxI2f(a) {\n  return a;\n}', glsl: 'float pxI2f(int a) {\n  return float(a);\n}',
    argumentTypes: { a: I }, returnType: N, deps: [] },
  // A 0/1 float as an integer. A function, not `(x | 0)` inline: gpu.js's WGSL emitter carries its
  // integer-cast state into the subexpressions of x (Math.max(...) came out as i32(max(...))).
  pxB2i: { source: 'function pxB2i(x) {\n  return x | 0;\n}', glsl: 'int pxB2i(float x) {\n  return int(x);\n}',
    argumentTypes: { x: N }, returnType: I, deps: [] },
  // A u32 bit pattern as a float: both halves are non-negative int32 values.
  pxU2f: {
    source: 'function pxU2f(a) {\n  return pxI2f(a >>> 1) * 2 + pxI2f(a & 1);\n}',
    glsl: 'float pxU2f(int a) {\n  return float(uint(a));\n}',
    argumentTypes: { a: I }, returnType: N, deps: ['pxI2f'],
  },
  // float -> int32 bit pattern, truncating toward zero and wrapping modulo 2^32 like castScalar
  // for i32 and u32 alike (WGSL's i32() saturates instead).
  pxF2u: {
    source: `function pxF2u(x) {
  let t = Math.trunc(x);
  if (t >= 2147483648 || t < -2147483648) {
    let w = t - 4294967296 * Math.floor(t / 4294967296);
    if (w >= 2147483648) {
      return (w - 4294967296) | 0;
    }
    return w | 0;
  }
  return t | 0;
}`,
    glsl: `int pxF2u(float x) {
  float t = trunc(x);
  if (t >= 2147483648.0 || t < -2147483648.0) {
    return int(uint(t - 4294967296.0 * floor(t / 4294967296.0)));
  }
  return int(t);
}`,
    argumentTypes: { x: N }, returnType: I, deps: [],
  },
  // Math.imul from 16-bit partial products (exact in JavaScript doubles, wrapping in i32).
  pxImul: {
    source: `function pxImul(a, b) {
  return ((((a >>> 16) * (b & 65535) + (a & 65535) * (b >>> 16)) << 16) + (a & 65535) * (b & 65535)) | 0;
}`,
    glsl: glslOp('pxImul', 'a * b'),
    argumentTypes: { a: I, b: I }, returnType: I, deps: [],
  },
  // Unsigned a < b on bit patterns (1 or 0), comparing the non-negative a >>> 1 first.
  pxUlt: {
    source: `function pxUlt(a, b) {
  if ((a >>> 1) < (b >>> 1)) {
    return 1;
  }
  if ((a >>> 1) === (b >>> 1)) {
    if ((a & 1) < (b & 1)) {
      return 1;
    }
  }
  return 0;
}`,
    glsl: glslOp('pxUlt', 'uint(a) < uint(b) ? 1 : 0'),
    argumentTypes: { a: I, b: I }, returnType: I, deps: [],
  },
  // Unsigned remainder of bit patterns by restoring division (b = 0 gives 0, as scalarOps' mod).
  pxUmod: {
    source: `function pxUmod(a, b) {
  if (b === 0) {
    return 0;
  }
  let rh = 0;
  let rl = 0;
  for (let i = 0; i < 32; i++) {
    let carry = 0;
    if (((rh << 16) | rl) < 0) {
      carry = 1;
    }
    let sh = (((((rh << 16) | rl) << 1) | ((a >>> (31 - i)) & 1)) >> 16);
    let sl = (((((rh << 16) | rl) << 1) | ((a >>> (31 - i)) & 1)) & 65535);
    if (carry > 0.5 || pxUlt(((sh << 16) | sl), b) === 0) {
      rh = ((((sh << 16) | sl) - b) | 0) >> 16;
      rl = ((((sh << 16) | sl) - b) | 0) & 65535;
    } else {
      rh = sh;
      rl = sl;
    }
  }
  return (rh << 16) | rl;
}`,
    glsl: glslOp('pxUmod', 'b == 0 ? 0 : int(uint(a) % uint(b))'),
    argumentTypes: { a: I, b: I }, returnType: I, deps: ['pxUlt'],
  },
  // Unsigned remainder by a constant 1 <= d < 2^16, a byte at a time in exact float arithmetic.
  pxUmodC: {
    source: `function pxUmodC(a, d) {
  let r = 0;
  for (let i = 0; i < 4; i++) {
    let x = r * 256 + ((a >>> (24 - 8 * i)) & 255);
    let t = x - Math.floor(x / d) * d;
    if (t < 0) {
      t = t + d;
    }
    if (t >= d) {
      t = t - d;
    }
    r = t;
  }
  return r | 0;
}`,
    glsl: glslOp('pxUmodC', 'int(uint(a) % uint(b))', 'int a, int b'),
    argumentTypes: { a: I, d: I }, returnType: I, deps: [],
  },
  // int32 remainder truncated toward zero (sign of a), b = 0 gives 0.
  pxSmod: {
    source: `function pxSmod(a, b) {
  if (a < 0) {
    return (-pxUmod((-a) | 0, (b < 0 ? (-b) | 0 : b))) | 0;
  }
  return pxUmod(a, (b < 0 ? (-b) | 0 : b));
}`,
    glsl: `int pxSmod(int a, int b) {
  if (b == 0) { return 0; }
  int r = int(uint(a < 0 ? -a : a) % uint(b < 0 ? -b : b));
  return a < 0 ? -r : r;
}`,
    argumentTypes: { a: I, b: I }, returnType: I, deps: ['pxUmod'],
  },
  pxSmodC: {
    source: `function pxSmodC(a, d) {
  if (a < 0) {
    return (-pxUmodC((-a) | 0, d)) | 0;
  }
  return pxUmodC(a, d);
}`,
    glsl: `int pxSmodC(int a, int b) {
  int r = int(uint(a < 0 ? -a : a) % uint(b));
  return a < 0 ? -r : r;
}`,
    argumentTypes: { a: I, d: I }, returnType: I, deps: ['pxUmodC'],
  },
  // A gathered index clamped into [0, n): GPU kernels cannot raise IndexError.
  pxClamp: {
    source: `function pxClamp(v, n) {
  if (v < 0) {
    return 0;
  }
  if (v >= n) {
    return n - 1;
  }
  return v;
}`,
    glsl: glslOp('pxClamp', 'a < 0 ? 0 : (a >= b ? b - 1 : a)'),
    argumentTypes: { v: I, n: I }, returnType: I, deps: [],
  },
  pxTf: {
    source: threefrySource(),
    glsl: threefryGlsl(),
    argumentTypes: { k0: I, k1: I, c0: I, c1: I, w: I }, returnType: I, deps: [],
  },
  // compiler/ir/erf.ts's erf32 (absolute error ~2e-7).
  pxErf: {
    source: `function pxErf(x) {
  let ax = Math.abs(x);
  if (ax < 0.5) {
    let x2 = x * x;
    return 1.1283791670955126 * x * (1 + x2 * (-0.3333333333333333 + x2 * (0.1 + x2 * (-0.023809523809523808 + x2 * (0.004629629629629629 + x2 * (-0.0007575757575757576))))));
  }
  let t = 1 / (1 + 0.5 * ax);
  let erfc = t * Math.exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  if (x < 0) {
    return erfc - 1;
  }
  return 1 - erfc;
}`,
    argumentTypes: { x: N }, returnType: N, deps: [],
  },
  // The CPU backend's tanh32 (Eigen's rational fit): finite for every input, unlike WGSL tanh
  // implementations that divide exponentials.
  pxTanh: {
    source: `function pxTanh(x) {
  let c = Math.min(Math.max(x, -7.90531110763549805), 7.90531110763549805);
  let x2 = c * c;
  let p = c * (0.00489352455891786 + x2 * (0.000637261928875436 + x2 * (0.0000148572235717979 + x2 * (5.12229709037114e-8 + x2 * (-8.60467152213735e-11 + x2 * (2.00018790482477e-13 + x2 * -2.76076847742355e-16))))));
  return p / (0.00489352518554385 + x2 * (0.0022684346324390 + x2 * (0.000118534705686654 + x2 * 0.00000119825839466702)));
}`,
    argumentTypes: { x: N }, returnType: N, deps: [],
  },
  // Math.pow's sign for negative bases with integral exponents (WGSL pow is exp2(b * log2(a))).
  pxPow: {
    source: `function pxPow(a, b) {
  if (b === 0) {
    return 1;
  }
  if (a < 0) {
    if (Math.floor(b) === b) {
      if (Math.floor(b / 2) * 2 === b) {
        return Math.pow(-a, b);
      }
      return -Math.pow(-a, b);
    }
    return Math.sqrt(a);
  }
  return Math.pow(a, b);
}`,
    argumentTypes: { a: N, b: N }, returnType: N, deps: [],
  },
  // JavaScript's % on floats (truncated), and 0 for b = 0 as scalarOps' mod.
  pxFmod: {
    source: `function pxFmod(a, b) {
  if (b === 0) {
    return 0;
  }
  return a - b * Math.trunc(a / b);
}`,
    argumentTypes: { a: N, b: N }, returnType: N, deps: [],
  },
  // A NaN no shader compiler can fold away (the argument is a run-time value).
  pxNaN: { source: 'function pxNaN(x) {\n  return Math.sqrt(x);\n}', argumentTypes: { x: N }, returnType: N, deps: [] },
  // integer operators for webgl2 (intOps.ts); the JavaScript versions exist for completeness
  pxI: { source: 'function pxI(a) {\n  return a;\n}', glsl: 'int pxI(int a) {\n  return a;\n}', argumentTypes: { a: I }, returnType: I, deps: [] },
  pxInt: { source: 'function pxInt(x) {\n  return x | 0;\n}', glsl: 'int pxInt(float x) {\n  return int(x);\n}', argumentTypes: { x: N }, returnType: I, deps: [] },
  pxJoin: {
    source: 'function pxJoin(h, l) {\n  return (h << 16) | l;\n}',
    glsl: 'int pxJoin(float h, float l) {\n  return (int(h) << 16) | int(l);\n}',
    argumentTypes: { h: N, l: N }, returnType: I, deps: [],
  },
  pxHi: { source: 'function pxHi(a) {\n  return a >> 16;\n}', glsl: glslOp('pxHi', 'a >> 16', 'int a'), argumentTypes: { a: I }, returnType: I, deps: [] },
  pxLo: { source: 'function pxLo(a) {\n  return a & 65535;\n}', glsl: glslOp('pxLo', 'a & 65535', 'int a'), argumentTypes: { a: I }, returnType: I, deps: [] },
  pxAnd: { source: 'function pxAnd(a, b) {\n  return a & b;\n}', glsl: glslOp('pxAnd', 'a & b'), argumentTypes: { a: I, b: I }, returnType: I, deps: [] },
  pxOr: { source: 'function pxOr(a, b) {\n  return a | b;\n}', glsl: glslOp('pxOr', 'a | b'), argumentTypes: { a: I, b: I }, returnType: I, deps: [] },
  pxXor: { source: 'function pxXor(a, b) {\n  return a ^ b;\n}', glsl: glslOp('pxXor', 'a ^ b'), argumentTypes: { a: I, b: I }, returnType: I, deps: [] },
  pxShl: { source: 'function pxShl(a, b) {\n  return a << (b & 31);\n}', glsl: glslOp('pxShl', 'a << (b & 31)'), argumentTypes: { a: I, b: I }, returnType: I, deps: [] },
  pxShr: { source: 'function pxShr(a, b) {\n  return a >> (b & 31);\n}', glsl: glslOp('pxShr', 'a >> (b & 31)'), argumentTypes: { a: I, b: I }, returnType: I, deps: [] },
  pxUshr: {
    source: 'function pxUshr(a, b) {\n  return (a >>> (b & 31)) | 0;\n}',
    glsl: glslOp('pxUshr', 'int(uint(a) >> uint(b & 31))'),
    argumentTypes: { a: I, b: I }, returnType: I, deps: [],
  },
};

/** The helpers and everything they call, dependencies first (GLSL natives in webgl2 call none). */
export function withDeps(names: Iterable<HelperName>, glsl = false): HelperName[] {
  const out: HelperName[] = [];
  const visit = (n: HelperName) => {
    if (out.includes(n)) return;
    if (!(glsl && HELPERS[n].glsl)) HELPERS[n].deps.forEach(visit);
    out.push(n);
  };
  for (const n of names) visit(n);
  return out;
}
