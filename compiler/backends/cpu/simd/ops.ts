// SIMD and scalar opcodes the elementwise kernels need beyond the GEMM's (emitter.ts).
import { type Code, uleb } from '../wasm/emitter.ts';

const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const un = (op: number) => (a: Code): Code => [...a, ...simd(op)];
const bin = (op: number) => (a: Code, b: Code): Code => [...a, ...b, ...simd(op)];

/** A v128 constant with the same float32 in all four lanes. */
export function f32x4Const(v: number): Code {
  const b = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
  return [...simd(0x0c), ...b];
}
/** A v128 constant with the same int32 in all four lanes. */
export function i32x4Const(v: number): Code {
  const b = new Uint8Array(new Int32Array([v, v, v, v]).buffer);
  return [...simd(0x0c), ...b];
}

export const f32x4Eq = bin(0x41);
export const f32x4Ne = bin(0x42);
export const f32x4Lt = bin(0x43);
export const f32x4Gt = bin(0x44);
export const f32x4Le = bin(0x45);
export const f32x4Ge = bin(0x46);
export const v128Not = un(0x4d);
export const v128And = bin(0x4e);
export const v128Or = bin(0x50);
export const v128Xor = bin(0x51);
/** Lanes of a where mask is set, else b. */
export const v128Bitselect = (a: Code, b: Code, mask: Code): Code => [...a, ...b, ...mask, ...simd(0x52)];
export const f32x4Nearest = un(0x6a);
export const i32x4Shl = (a: Code, bits: Code): Code => [...a, ...bits, ...simd(0xab)];
export const i32x4ShrS = (a: Code, bits: Code): Code => [...a, ...bits, ...simd(0xac)];
export const i32x4ShrU = (a: Code, bits: Code): Code => [...a, ...bits, ...simd(0xad)];
export const i32x4Add = bin(0xae);
export const f32x4Abs = un(0xe0);
export const f32x4Neg = un(0xe1);
export const f32x4Sqrt = un(0xe3);
export const f32x4Add = bin(0xe4);
export const f32x4Sub = bin(0xe5);
export const f32x4Mul = bin(0xe6);
export const f32x4Div = bin(0xe7);
export const f32x4Min = bin(0xe8);
export const f32x4Max = bin(0xe9);
export const i32x4TruncSatF32x4S = un(0xf8);
/** Lane `lane` of an f32x4 as an f32. */
export const f32x4ExtractLane = (v: Code, lane: number): Code => [...v, ...simd(0x1f), lane];

export const f32Add = (a: Code, b: Code): Code => [...a, ...b, 0x92];
export const f32Max = (a: Code, b: Code): Code => [...a, ...b, 0x97];

export const i32x4Eq = bin(0x37);
export const i32x4Ne = bin(0x38);
export const i32x4LtS = bin(0x39);
export const i32x4GtS = bin(0x3b);
export const i32x4LeS = bin(0x3d);
export const i32x4GeS = bin(0x3f);
export const i32x4Sub = bin(0xb1);
export const i32x4Mul = bin(0xb5);
export const i32x4Splat = (v: Code): Code => [...v, ...simd(0x11)];
export const f32x4ConvertI32x4S = un(0xfa);
/** 0, 1, 2, 3 as int32 lanes. */
export const I32X4_IOTA: Code = [...simd(0x0c), ...new Uint8Array(new Int32Array([0, 1, 2, 3]).buffer)];
