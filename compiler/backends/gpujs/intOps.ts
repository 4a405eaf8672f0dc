import type { HelperName } from './helpers.ts';
import type { GpujsMode } from './modes.ts';

/**
 * The integer operations generated kernels are made of, per gpu.js dialect. In the cpu, webasm
 * and webgpu modes they are JavaScript operators that gpu.js turns into exact int32 operations
 * (`| 0` wraps in cpu mode's JavaScript; wasm and WGSL wrap natively). gpu.js's GLSL emulates
 * bitwise operators with float loops that are wrong for negative values (and slow to compile), so
 * in webgl2 every such operation is a call to a native GLSL ES 3.00 function (helpers.ts).
 * Arguments are Integer-typed code unless named otherwise.
 */
export interface IntOps {
  /** An Integer literal. */
  lit(v: number): string;
  /** An exact integer held in a float (a local, a loaded half) as Integer. */
  toInt(x: string): string;
  /** Rejoins 16-bit halves held in floats (or Integer code). */
  join(h: string, l: string): string;
  /** The signed high and the low 16-bit half. */
  hi(x: string): string;
  lo(x: string): string;
  /** int32 wrap-around of a sum or difference of Integers. */
  wrap(x: string): string;
  and(a: string, b: string): string;
  or(a: string, b: string): string;
  xor(a: string, b: string): string;
  /** Shifts by (b & 31). */
  shl(a: string, b: string): string;
  shr(a: string, b: string): string;
  ushr(a: string, b: string): string;
}

/** An int32 literal gpu.js types as Integer in its JavaScript-derived dialects. */
function jsLit(v: number): string {
  const x = v | 0;
  if (x === -2147483648) return '((-2147483647 - 1) | 0)';
  return x < 0 ? `((${x}) | 0)` : `(${x} | 0)`;
}

/** `& 31` only where the shift amount is not a small constant already. */
const amount = (b: string) => (/^\d+$/.test(b) && Number(b) < 32 ? b : `(${b} & 31)`);

const JS_OPS: IntOps = {
  lit: jsLit,
  toInt: (x) => `(${x} | 0)`,
  join: (h, l) => `((${h} << 16) | ${l})`,
  hi: (x) => `(${x} >> 16)`,
  lo: (x) => `(${x} & 65535)`,
  wrap: (x) => `(${x} | 0)`,
  and: (a, b) => `(${a} & ${b})`,
  or: (a, b) => `(${a} | ${b})`,
  xor: (a, b) => `(${a} ^ ${b})`,
  shl: (a, b) => `(${a} << ${amount(b)})`,
  shr: (a, b) => `(${a} >> ${amount(b)})`,
  ushr: (a, b) => `((${a} >>> ${amount(b)}) | 0)`,
};

function glslOps(use: (h: HelperName) => void): IntOps {
  const call = (h: HelperName, ...args: string[]) => {
    use(h);
    return `${h}(${args.join(', ')})`;
  };
  return {
    lit: (v) => call('pxI', (v | 0) === -2147483648 ? '(-2147483647 - 1)' : String(v | 0)),
    toInt: (x) => call('pxInt', x),
    join: (h, l) => call('pxJoin', h, l),
    hi: (x) => call('pxHi', x),
    lo: (x) => call('pxLo', x),
    wrap: (x) => x, // GLSL ES 3.00 int arithmetic wraps
    and: (a, b) => call('pxAnd', a, b),
    or: (a, b) => call('pxOr', a, b),
    xor: (a, b) => call('pxXor', a, b),
    shl: (a, b) => call('pxShl', a, b),
    shr: (a, b) => call('pxShr', a, b),
    ushr: (a, b) => call('pxUshr', a, b),
  };
}

/** The dialect of a mode; `use` records the native helpers webgl2 code calls. */
export const intOps = (mode: GpujsMode, use: (h: HelperName) => void): IntOps => (mode === 'webgl2' ? glslOps(use) : JS_OPS);
