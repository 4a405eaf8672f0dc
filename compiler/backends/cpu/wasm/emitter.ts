// A tiny WebAssembly binary emitter: just what the CPU backend's hand-written kernels need
// (one imported memory, i32/v128 locals, structured control flow, scalar and SIMD memory ops).
// Code is written as expression trees: every helper returns the bytes of one expression or
// statement (`Code`), so kernels read like nested calls and need no stack bookkeeping.

export type Code = readonly number[];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(s: string): number[] {
  return [...new TextEncoder().encode(s)];
}

function vec(items: readonly Code[]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** Concatenates statements. */
export function seq(...parts: readonly Code[]): Code {
  return parts.flat();
}

// --- locals and constants -------------------------------------------------------------------

/** A local variable (parameters are locals too). */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

export const get = (l: Local): Code => [0x20, ...uleb(l.index)];
export const set = (l: Local, value: Code): Code => [...value, 0x21, ...uleb(l.index)];
export const tee = (l: Local, value: Code): Code => [...value, 0x22, ...uleb(l.index)];
export const i32 = (v: number): Code => [0x41, ...sleb(v)];
export const drop = (value: Code): Code => [...value, 0x1a];

// --- i32 arithmetic -------------------------------------------------------------------------

const bin = (op: number) => (a: Code, b: Code): Code => [...a, ...b, op];
export const eqz = (a: Code): Code => [...a, 0x45];
export const eq = bin(0x46);
export const ne = bin(0x47);
export const ltS = bin(0x48);
export const gtS = bin(0x4a);
export const leS = bin(0x4c);
export const geS = bin(0x4e);
export const add = bin(0x6a);
export const sub = bin(0x6b);
export const mul = bin(0x6c);
export const divS = bin(0x6d);
export const and = bin(0x71);
export const or = bin(0x72);
export const shl = bin(0x74);
export const shrU = bin(0x76);
export const divU = bin(0x6e);
export const remU = bin(0x70);
export const select = (ifTrue: Code, ifFalse: Code, cond: Code): Code => [...ifTrue, ...ifFalse, ...cond, 0x1b];

// --- memory ----------------------------------------------------------------------------------

// memarg: alignment exponent, then a constant byte offset folded into the address.
const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];

export const f32Load = (addr: Code, offset = 0): Code => [...addr, 0x2a, ...memarg(2, offset)];
export const f32Store = (addr: Code, value: Code, offset = 0): Code => [...addr, ...value, 0x38, ...memarg(2, offset)];
export const i32Load = (addr: Code, offset = 0): Code => [...addr, 0x28, ...memarg(2, offset)];
export const i32Store = (addr: Code, value: Code, offset = 0): Code => [...addr, ...value, 0x36, ...memarg(2, offset)];
export const f32Add = bin(0x92);
export const f32Mul = bin(0x94);
export const f32Const0: Code = [0x43, 0, 0, 0, 0];

// --- SIMD (0xFD prefix) ----------------------------------------------------------------------

const simd = (op: number): number[] => [0xfd, ...uleb(op)];
export const v128Load = (addr: Code, offset = 0): Code => [...addr, ...simd(0x00), ...memarg(4, offset)];
export const v128Store = (addr: Code, value: Code, offset = 0): Code =>
  [...addr, ...value, ...simd(0x0b), ...memarg(4, offset)];
/** Loads one f32 and broadcasts it to all four lanes. */
export const load32Splat = (addr: Code, offset = 0): Code => [...addr, ...simd(0x09), ...memarg(2, offset)];
/** Loads two f32s into the low half, zeroing the high half. */
export const load64Zero = (addr: Code, offset = 0): Code => [...addr, ...simd(0x5d), ...memarg(3, offset)];
export const store64Lane0 = (addr: Code, value: Code, offset = 0): Code =>
  [...addr, ...value, ...simd(0x5b), ...memarg(3, offset), 0];
export const v128Zero: Code = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
export const f32x4Splat = (v: Code): Code => [...v, ...simd(0x13)];
export const f32x4Add = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe4)];
export const f32x4Mul = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe6)];
/** Relaxed SIMD a*b + c: fused where the CPU has FMA (needs the relaxed-simd feature). */
export const f32x4RelaxedMadd = (a: Code, b: Code, c: Code): Code => [...a, ...b, ...c, ...simd(0x105)];
/** Lane-wise shuffle of the 8 f32 lanes of (a, b); lanes 0-3 from a, 4-7 from b. */
export const f32x4Shuffle = (a: Code, b: Code, lanes: readonly [number, number, number, number]): Code => [
  ...a, ...b, ...simd(0x0d), ...lanes.flatMap((l) => [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3]),
];

// --- control flow ----------------------------------------------------------------------------

const EMPTY_BLOCK = 0x40;
export const block = (...body: Code[]): Code => [0x02, EMPTY_BLOCK, ...body.flat(), 0x0b];
export const loop = (...body: Code[]): Code => [0x03, EMPTY_BLOCK, ...body.flat(), 0x0b];
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];
export const brIf = (depth: number, cond: Code): Code => [...cond, 0x0d, ...uleb(depth)];
export const ifThen = (cond: Code, then: Code, otherwise?: Code): Code =>
  otherwise ? [...cond, 0x04, EMPTY_BLOCK, ...then, 0x05, ...otherwise, 0x0b] : [...cond, 0x04, EMPTY_BLOCK, ...then, 0x0b];
export const ret = (value?: Code): Code => [...(value ?? []), 0x0f];
export const call = (funcIndex: number, ...args: Code[]): Code => [...args.flat(), 0x10, ...uleb(funcIndex)];

/**
 * `for (v = start; v < end; v += step) body` (signed compare). Inside `body`, `br(1)` breaks
 * and `br(0)` would restart without the increment, so bodies should not branch out themselves.
 */
export const forRange = (v: Local, start: Code, end: Code, step: Code, ...body: Code[]): Code =>
  seq(
    set(v, start),
    block(loop(brIf(1, geS(get(v), end)), ...body, set(v, add(get(v), step)), br(0))),
  );

// --- functions and modules --------------------------------------------------------------------

/** Builds one function: parameters first, then locals added on demand. */
export class FuncBuilder {
  private readonly extra: ValType[] = [];
  readonly params: Local[];

  constructor(
    readonly name: string | null,
    paramTypes: readonly ValType[],
    readonly results: readonly ValType[],
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  local(type: ValType): Local {
    this.extra.push(type);
    return { index: this.params.length + this.extra.length - 1, type };
  }

  /** Function body bytes (locals vector + code + end). */
  encode(body: Code): number[] {
    // Run-length encode consecutive equal types, as the binary format asks.
    const groups: Code[] = [];
    for (let i = 0; i < this.extra.length; ) {
      let j = i;
      while (j < this.extra.length && this.extra[j] === this.extra[i]) j++;
      groups.push([...uleb(j - i), this.extra[i]!]);
      i = j;
    }
    const bytes = [...vec(groups), ...body, 0x0b];
    return [...uleb(bytes.length), ...bytes];
  }
}

interface FuncEntry {
  readonly builder: FuncBuilder;
  body: Code | null;
}

/** A module with one imported memory ("env"."memory") and functions. */
export class ModuleBuilder {
  private readonly funcs: FuncEntry[] = [];

  constructor(private readonly memory: { shared: boolean; maxPages: number }) {}

  /** Declares a function (so others can call it before its body exists); returns its index. */
  declare(builder: FuncBuilder): number {
    this.funcs.push({ builder, body: null });
    return this.funcs.length - 1;
  }

  define(index: number, body: Code): void {
    this.funcs[index]!.body = body;
  }

  encode(): Uint8Array<ArrayBuffer> {
    const section = (id: number, content: readonly number[]): number[] => [id, ...uleb(content.length), ...content];
    const types = this.funcs.map(({ builder: f }) => [0x60, ...vec(f.params.map((p) => [p.type])), ...vec(f.results.map((r) => [r]))]);
    const { shared, maxPages } = this.memory;
    const name = (s: string): number[] => [...uleb(utf8(s).length), ...utf8(s)];
    const importEntry = [
      ...name('env'),
      ...name('memory'),
      // Shared memories must declare a maximum; plain ones omit it so any memory links.
      0x02, ...(shared ? [0x03, ...uleb(0), ...uleb(maxPages)] : [0x00, ...uleb(0)]),
    ];
    const exportsList = this.funcs
      .map((f, i) => ({ name: f.builder.name, i }))
      .filter((e): e is { name: string; i: number } => e.name !== null)
      .map(({ name: n, i }) => [...name(n), 0x00, ...uleb(i)]);
    const bodies = this.funcs.map((f) => {
      if (!f.body) throw new Error(`wasm emitter: function ${f.builder.name ?? '?'} has no body`);
      return f.builder.encode(f.body);
    });
    return new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, vec(types)),
      ...section(2, vec([importEntry])),
      ...section(3, vec(this.funcs.map((_, i) => uleb(i)))),
      ...section(7, vec(exportsList)),
      ...section(10, vec(bodies)),
    ]);
  }
}
