/**
 * Test programs for the gpujs backend, shared by the Node tests (cpu, webasm), the Node WebGPU
 * child process and the headless-Chromium page (webgpu, webgl2). No vitest here: results are
 * returned or compared into messages, so the same code runs in a browser bundle.
 */
import fc from 'fast-check';
import { compile } from '../../../../compiler/compile.ts';
import { HELPERS, type HelperName, withDeps } from '../../../../compiler/backends/gpujs/helpers.ts';
import type { GpujsMode } from '../../../../compiler/backends/gpujs/modes.ts';
import { gpuFor, kernelSettings } from '../../../../compiler/backends/gpujs/runtime.ts';
import { intOps } from '../../../../compiler/backends/gpujs/intOps.ts';
import { castScalar } from '../../../../compiler/ir/scalarOps.ts';
import * as p from '../../../../dsl/index.ts';
import { HostTensor } from '../../../../dsl/host.ts';
import { flatten } from '../../../../dsl/tree.ts';
import { key } from '../../../../prng/key.ts';
import { threefry2x32 } from '../../../../prng/threefry.ts';
import { type RandomProgram, buildProgram, programInputs, randomProgramArb } from '../../randomGraph.ts';

type T = p.Tensor<p.Axes>;

/** A host array in plain JSON form (for crossing into and out of a browser page). */
export interface PlainTensor {
  readonly axes: readonly string[];
  readonly shape: readonly number[];
  readonly dtype: p.DType;
  readonly data: number[];
}
export const plain = (t: HostTensor): PlainTensor => ({ axes: t.axes, shape: t.shape, dtype: t.dtype, data: Array.from(t.data) });
const leaves = (tree: unknown): HostTensor[] => flatten<HostTensor>(tree, (x) => x instanceof HostTensor).leaves;

/** Random programs (randomGraph.ts) drawn deterministically. */
export const randomPrograms = (n: number, seed: number, maxOps?: number): RandomProgram[] => fc.sample(randomProgramArb(maxOps), { numRuns: n, seed });

/** The forward function of a random program, its arguments, and those of its value-and-grad. */
export function randomCase(prog: RandomProgram, kind: 'forward' | 'grad'): { fn: (...a: never[]) => unknown; args: unknown[] } {
  const { floats, ints, key: k } = programInputs(prog);
  const build = buildProgram(prog);
  if (kind === 'forward') return { fn: ((xs: T[], i: T, kk: T) => build(xs, i, kk as p.KeyTensor)) as never, args: [floats, ints, k] };
  const loss = (xs: T[], i: T, kk: T) =>
    build(xs, i, kk as p.KeyTensor).reduce((acc: p.Tensor<[]>, o, j) => acc.add(p.sumAll(o.tanh().mul(j + 1))) as p.Tensor<[]>, p.scalar(0));
  return { fn: ((xs: T[], i: T, kk: T) => p.valueAndGrad(loss)(xs, i, kk)) as never, args: [floats, ints, k] };
}

const U32_EDGES = [0, 1, 2, 3, 7, 255, 65535, 65536, 65537, 0x7fffffff, 0x80000000, 0x80000005, 0xfffffffe, 0xffffffff, 0xdeadbeef, 123456789,
  3000000000, 16777217, 30522, 4294901760];
const I32_EDGES = [0, 1, -1, 2, -2, 7, -7, 65535, -65536, 2147483647, -2147483648, -2147483647, 123456789, -987654321, 16777217, -16777217,
  30522, -30522, 1000, -3];

/**
 * Integer and random-number semantics (scalarOps, threefry): wrap-around arithmetic, unsigned
 * comparisons and remainders, shifts, casts, integer sums, samplers and keys computed in-graph.
 */
export function integerCase(): { fn: (...a: never[]) => unknown; args: unknown[] } {
  const n = U32_EDGES.length;
  const rot = (xs: readonly number[], r: number) => xs.map((_, i) => xs[(i + r) % xs.length]!);
  const u = new HostTensor(['n'], [n], 'u32', Uint32Array.from(U32_EDGES));
  const v = new HostTensor(['n'], [n], 'u32', Uint32Array.from(rot(U32_EDGES, 3)));
  const i = new HostTensor(['n'], [n], 'i32', Int32Array.from(I32_EDGES));
  const j = new HostTensor(['n'], [n], 'i32', Int32Array.from(rot(I32_EDGES, 5)));
  const x = new HostTensor(['n'], [n], 'f32', Float32Array.from([0, -0.5, 1.5, -3.7, 2147483000, 3000000000, 4294967000, -2147483000, 16777216, 12.9,
    -12.9, 0.25, 1e6, -1e6, 65535.5, 7, -7, 100, 3.99, -0.99]));
  const m = new HostTensor(['r', 'c'], [4, 5], 'i32', Int32Array.from(I32_EDGES));
  const elig = new HostTensor(['r', 'c'], [4, 5], 'bool', Uint8Array.from({ length: 20 }, (_, t) => (t * 7) % 3 !== 0 ? 1 : 0));
  const fn = (U: T, V: T, I: T, J: T, X: T, M: T, E: T, K: T) => {
    const k = K as p.KeyTensor;
    const [k1, k2] = p.splitKeyTensor(k, 2) as [p.KeyTensor, p.KeyTensor];
    const folded = p.foldInTensor(k2!, 3000000000);
    return {
      u32: [U.add(V), U.sub(V), U.mul(V), p.xor(U, V), p.and(U, V) as T, p.or(U, V) as T, p.shiftRight(U, p.mod(V, 32)), p.shiftLeft(U, p.mod(V, 32)),
        p.mod(U, V), p.mod(U, 1000), p.mod(U, 30522), p.maximum(U, V), p.minimum(U, V)],
      u32cmp: [p.lt(U, V), p.le(U, V), p.gt(U, V), p.ge(U, V), p.eq(U, V), p.ne(U, V)],
      i32: [I.add(J), I.sub(J), I.mul(J), I.neg(), I.abs(), p.sign(I), p.mod(I, J), p.mod(I, 7), p.maximum(I, J), p.minimum(I, J)],
      i32cmp: [p.lt(I, J), p.ge(I, J), p.eq(I, J)],
      casts: [p.cast(U, 'f32'), p.cast(I, 'f32'), p.cast(U, 'i32'), p.cast(I, 'u32'), p.cast(X, 'i32'), p.cast(X, 'u32'), p.cast(I, 'bool'), p.cast(X, 'bool')],
      reduce: [p.sum(M, 'c'), p.sum(M, 'r'), p.argmax(p.cast(M, 'f32'), 'c'), p.max(M, 'c')],
      random: [p.randomBits(k, ['n'], [n]), p.randomBits(folded, ['n'], [n]), p.randint(k1!, 0, 30522, ['n'], [n]), p.randint(k1!, -5, 5, ['r', 'c'], [4, 5]),
        p.uniform(k2!, ['n'], [n]), p.normal(k, ['n'], [n]), p.randomSubset(k, E as p.Tensor<['r', 'c']>, 'c', 2) as T, p.bernoulli(k1!, 0.3, ['n'], [n])],
    };
  };
  return { fn: fn as never, args: [u, v, i, j, x, m, elig, p.keyInput(key(0xabcdef12345))] };
}

/** Runs a case on the gpujs backend in `mode` (asynchronously: every mode, webgpu included). */
export async function runGpujs(c: { fn: (...a: never[]) => unknown; args: unknown[] }, mode: GpujsMode): Promise<HostTensor[]> {
  const compiled = compile(c.fn as (...a: unknown[]) => unknown, c.args as unknown[], { backend: 'gpujs', gpujsMode: mode });
  return leaves(await compiled.runAsync(...(c.args as unknown[])));
}

/** The reference interpreter's outputs for a case. */
export const reference = (c: { fn: (...a: never[]) => unknown; args: unknown[] }): HostTensor[] =>
  leaves(p.evaluate(c.fn as (...a: unknown[]) => unknown, ...(c.args as unknown[])));

/** float32 results against float64 references (exact for integers and bools); undefined when close. */
export function mismatch(got: PlainTensor | HostTensor, want: HostTensor, what: string, rtol = 2e-4, atol = 2e-4): string | undefined {
  if (got.dtype !== want.dtype || got.shape.join() !== want.shape.join()) return `${what}: ${got.dtype}[${got.shape}] vs reference ${want.dtype}[${want.shape}]`;
  const exact = want.dtype !== 'f32';
  for (let e = 0; e < want.data.length; e++) {
    const g = got.data[e]!;
    const w = want.data[e]!;
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (exact ? g !== w : !(Math.abs(g - w) <= atol + rtol * Math.abs(w))) return `${what}: element ${e} is ${g}, reference ${w}`;
  }
  return undefined;
}

/** Compares a case's outputs; tolerances of randomGraphs.test.ts for value-and-grad. */
export function compareCase(got: readonly (PlainTensor | HostTensor)[], want: readonly HostTensor[], what: string, kind: 'forward' | 'grad' = 'forward'): string[] {
  if (got.length !== want.length) return [`${what}: ${got.length} outputs, reference ${want.length}`];
  const out: string[] = [];
  got.forEach((g, o) => {
    const m = kind === 'grad' ? mismatch(g, want[o]!, `${what} output ${o}`, o === 0 ? 2e-4 : 1e-3, 1e-3) : mismatch(g, want[o]!, `${what} output ${o}`);
    if (m) out.push(m);
  });
  return out;
}

// ---- integer helpers, tested directly ------------------------------------------------------------

interface HelperCase {
  readonly helper: HelperName;
  /** Argument vectors (Integer arguments as int32 bit patterns, Number arguments as floats). */
  readonly args: readonly (readonly number[])[];
  readonly expect: readonly number[];
}

const grid = (as: readonly number[], bs: readonly number[]) => ({ a: as.flatMap((a) => bs.map(() => a)), b: as.flatMap(() => bs) });

/** Edge cases of the integer helpers against their JavaScript definitions. */
export function helperCases(): HelperCase[] {
  const ints = [0, 1, -1, 5, -5, 767, 768, 16777215, 16777216, 16777217, -16777217, 23440896, 2147483647, -2147483648, 1234567890, -1234567890, 33554431];
  const small = grid(ints, [2, 3, 7, 768, 30522, 4194305, 8388607]);
  const large = grid(ints, [8388608, 23440896, 268435459, 1073741824]);
  const u = grid(U32_EDGES.map((x) => x | 0), [...U32_EDGES.map((x) => x | 0), 3, 10]);
  const s = grid(I32_EDGES, [...I32_EDGES, 3, -10]);
  const c = grid(U32_EDGES.map((x) => x | 0), [1, 2, 3, 1000, 30522, 65535]);
  const floats = [0, -0.5, 1.5, -3.7, 2147483000, 2147483648, 3000000000, 4294967000, -2147483000, 16777216, 12.9, -12.9, 5e9, -5e9, 1e12].map(Math.fround);
  const fdiv = (a: number, b: number) => Math.floor(a / b);
  return [
    { helper: 'pxIdivS', args: [small.a, small.b], expect: small.a.map((a, t) => fdiv(a, small.b[t]!)) },
    { helper: 'pxImodS', args: [small.a, small.b], expect: small.a.map((a, t) => a - fdiv(a, small.b[t]!) * small.b[t]!) },
    { helper: 'pxIdivL', args: [large.a, large.b], expect: large.a.map((a, t) => fdiv(a, large.b[t]!)) },
    { helper: 'pxImodL', args: [large.a, large.b], expect: large.a.map((a, t) => a - fdiv(a, large.b[t]!) * large.b[t]!) },
    { helper: 'pxUmod', args: [u.a, u.b], expect: u.a.map((a, t) => (u.b[t] === 0 ? 0 : (a >>> 0) % (u.b[t]! >>> 0)) | 0) },
    { helper: 'pxUmodC', args: [c.a, c.b], expect: c.a.map((a, t) => ((a >>> 0) % c.b[t]!) | 0) },
    { helper: 'pxSmod', args: [s.a, s.b], expect: s.a.map((a, t) => (s.b[t] === 0 ? 0 : (a % s.b[t]!) | 0)) },
    { helper: 'pxImul', args: [s.a, s.b], expect: s.a.map((a, t) => Math.imul(a, s.b[t]!)) },
    { helper: 'pxUlt', args: [u.a, u.b], expect: u.a.map((a, t) => ((a >>> 0) < (u.b[t]! >>> 0) ? 1 : 0)) },
    { helper: 'pxF2u', args: [floats], expect: floats.map((x) => castScalar('u32')(x) | 0) },
    {
      helper: 'pxTf',
      args: [u.a, u.b, u.b.map((x) => (x * 3) | 0), u.a.map((_, t) => t % 4), u.a.map((_, t) => t % 2)],
      expect: u.a.map((a, t) => threefry2x32([a >>> 0, u.b[t]! >>> 0], [(u.b[t]! * 3) >>> 0, t % 4])[t % 2]! | 0),
    },
  ];
}

/**
 * Runs one helper over its argument vectors in a gpu.js kernel of `mode`: Integer arguments and
 * results travel as 16-bit halves (the backend's 'i' layout), Number arguments as floats.
 */
export async function runHelperCase(mode: GpujsMode, c: HelperCase): Promise<number[]> {
  const def = HELPERS[c.helper];
  const names = Object.keys(def.argumentTypes);
  const n = c.expect.length;
  const used = new Set<HelperName>([c.helper]);
  const o = intOps(mode, (h) => used.add(h));
  const element = o.shr('this.thread.x', '1');
  const argCode = names.map((name, a) =>
    def.argumentTypes[name] === 'Integer' ? o.join(`a${a}[2 * ${element} + 1]`, `a${a}[2 * ${element}]`) : `a${a}[${element}]`);
  const call = `${c.helper}(${argCode.join(', ')})`;
  const result = def.returnType === 'Integer' ? call : `pxF2u(${call})`;
  if (def.returnType !== 'Integer') used.add('pxF2u');
  const source = `function (${names.map((_, a) => `a${a}`).join(', ')}) {
  if (${o.and('this.thread.x', o.lit(1))} === 1) {
    return ${o.hi(result)};
  }
  return ${o.lo(result)};
}`;
  const kernel = gpuFor(mode).createKernel(source, { ...kernelSettings(mode, withDeps(used, mode === 'webgl2'), 2 * n), pipeline: false });
  const inputs = names.map((name, a) => {
    const v = c.args[a]!;
    if (def.argumentTypes[name] !== 'Integer') return Float32Array.from(v);
    const out = new Float32Array(2 * n);
    v.forEach((x, t) => {
      out[2 * t] = x & 0xffff;
      out[2 * t + 1] = (x >>> 16) & 0xffff;
    });
    return out;
  });
  const r = (await kernel(...inputs)) as ArrayLike<number>;
  return Array.from({ length: n }, (_, t) => (r[2 * t + 1]! * 65536 + r[2 * t]!) | 0);
}

/** Mismatches of every helper case in `mode` (empty when all agree). */
export async function checkHelpers(mode: GpujsMode): Promise<string[]> {
  const out: string[] = [];
  for (const c of helperCases()) {
    const got = await runHelperCase(mode, c);
    const bad = got.findIndex((g, t) => g !== c.expect[t]);
    if (bad >= 0) out.push(`${c.helper}(${c.args.map((a) => a[bad]).join(', ')}) = ${got[bad]}, expected ${c.expect[bad]}`);
  }
  return out;
}
