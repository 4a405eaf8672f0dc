import type { DType } from './dtype.ts';
import { erf64 } from './erf.ts';
import type { BinaryOp, UnaryOp } from './primitives.ts';

/**
 * Elementwise semantics on JS numbers, per dtype: the definition every backend must match.
 * f32 is computed in float64 here; i32/u32 wrap around; bool is 0/1.
 */
export function wrap(dtype: DType, v: number): number {
  switch (dtype) {
    case 'f32': return v;
    case 'i32': return Number.isFinite(v) ? v | 0 : 0;
    case 'u32': return Number.isFinite(v) ? v >>> 0 : 0;
    case 'bool': return v ? 1 : 0;
  }
}

export function unaryScalar(op: UnaryOp, dtype: DType): (x: number) => number {
  const w = (v: number) => wrap(dtype, v);
  switch (op) {
    case 'neg': return (x) => w(-x);
    case 'exp': return Math.exp;
    case 'log': return Math.log;
    case 'log1p': return Math.log1p;
    case 'sqrt': return Math.sqrt;
    case 'rsqrt': return (x) => 1 / Math.sqrt(x);
    case 'tanh': return Math.tanh;
    case 'erf': return erf64;
    case 'abs': return (x) => w(Math.abs(x));
    case 'sign': return (x) => w(Math.sign(x));
    case 'reciprocal': return (x) => 1 / x;
    case 'sin': return Math.sin;
    case 'cos': return Math.cos;
    case 'not': return (x) => (x ? 0 : 1);
  }
}

export function binaryScalar(op: BinaryOp, dtype: DType): (a: number, b: number) => number {
  const w = (v: number) => wrap(dtype, v);
  const isU = dtype === 'u32';
  switch (op) {
    case 'add': return (a, b) => w(a + b);
    case 'sub': return (a, b) => w(a - b);
    case 'mul': return dtype === 'f32' ? (a, b) => a * b : (a, b) => w(Math.imul(a, b));
    case 'div': return (a, b) => a / b;
    case 'pow': return Math.pow;
    case 'max': return Math.max;
    case 'min': return Math.min;
    case 'mod': return (a, b) => (b === 0 ? 0 : w(a % b));
    case 'lt': return (a, b) => (a < b ? 1 : 0);
    case 'le': return (a, b) => (a <= b ? 1 : 0);
    case 'gt': return (a, b) => (a > b ? 1 : 0);
    case 'ge': return (a, b) => (a >= b ? 1 : 0);
    case 'eq': return (a, b) => (a === b ? 1 : 0);
    case 'ne': return (a, b) => (a !== b ? 1 : 0);
    case 'and': return (a, b) => w(a & b);
    case 'or': return (a, b) => w(a | b);
    case 'xor': return (a, b) => w(a ^ b);
    case 'shl': return (a, b) => (isU ? (a << (b & 31)) >>> 0 : w(a << (b & 31)));
    case 'shr': return (a, b) => (isU ? a >>> (b & 31) : w(a >> (b & 31)));
  }
}

/** Value conversion of cast, from any dtype to `to`. Floats to integers truncate toward zero. */
export function castScalar(to: DType): (x: number) => number {
  switch (to) {
    case 'f32': return (x) => x;
    case 'i32': return (x) => (Number.isFinite(x) ? Math.trunc(x) | 0 : 0);
    case 'u32': return (x) => (Number.isFinite(x) ? Math.trunc(x) >>> 0 : 0);
    case 'bool': return (x) => (x !== 0 && !Number.isNaN(x) ? 1 : 0);
  }
}
