import type { Axes } from '../dsl/axes.ts';
import { HostTensor } from '../dsl/host.ts';
import { type Concrete, type Symbolic, type TracedFunction, trace } from '../dsl/trace.ts';
import { type TreeDef, flatten, sameStructure, unflatten } from '../dsl/tree.ts';
import { CpuExecutable } from './backends/cpu/cpuExecutable.ts';
import { compileWebgpuStep } from './backends/webgpu/step.ts'; // webgpu backend
import { explainProgram } from './explain.ts';
import { type FlopCount, countFlops } from './flops.ts';
import { CompileError } from './fusion/errors.ts';
import { fuseGraph, type FuseResult } from './fusion/fuse.ts';
import { affineKey } from './kernel/indexExpr.ts';
import type { Expr } from './kernel/expr.ts';
import type { Kernel, MapKernel } from './kernel/kernel.ts';
import { kernelBuffers } from './schedule/liveness.ts';
import { type MemoryPlan, planMemory } from './schedule/memoryPlan.ts';
import type { ProgramStats } from './compile.ts';

const isHost = (x: unknown): x is HostTensor => x instanceof HostTensor;

/**
 * A compiled step whose state (parameters, optimizer moments...) stays resident in the program's
 * memory between calls: `run(inputs)` uploads only the inputs, updates the state in place and
 * returns the other outputs. New state is written over the old state's memory (donation) when
 * the kernel that writes it is the old state's last reader and reads it element by element;
 * otherwise it is copied over at the end of the step.
 */
export interface CompiledStep<S, I, O> {
  run(inputs: I): Concrete<O>;
  /**
   * The same step as a Promise: the only way on the webgpu backend, where the next step may be
   * submitted before this one's outputs have come back (steps run in call order).
   */
  runAsync(inputs: I): Promise<Concrete<O>>;
  /** The current state, read back to the host. */
  readState(): S;
  readStateAsync(): Promise<S>;
  writeState(state: S): void;
  explain(): string;
  readonly stats: ProgramStats & { readonly donated: number; readonly copied: number };
  /** Floating-point operations of one step (forward, backward and update, counted on the graph). */
  readonly flops: FlopCount;
  /** Per-kernel time profile: call with true to start, then read `profile()`. */
  setProfiling(on: boolean): void;
  /** Milliseconds the profiled runs spent in GEMMs (excluding their epilogues). */
  gemmMs(): number;
  profile(): { kernel: number; kind: string; ms: number; what: string }[];
}

/** Loads of `buffer` in a map kernel are all at the element being stored to `out`. */
function readsOnlyInPlace(k: Kernel, buffer: number, out: number): boolean {
  const regions: MapKernel[] = k.kind === 'map' ? [k] : k.kind === 'matmul' && k.epilogue ? [k.epilogue] : [];
  if (regions.length === 0) return false;
  for (const region of regions) {
    const store = region.stores.find((s) => s.buffer === out);
    if (!store) continue;
    const want = affineKey(store.index);
    const seen = new Set<Expr>();
    let ok = true;
    const walk = (e: Expr) => {
      if (seen.has(e) || !ok) return;
      seen.add(e);
      if (e.k === 'load' && e.buffer === buffer && affineKey(e.index) !== want) ok = false;
      for (const c of Object.values(e)) if (c && typeof c === 'object' && 'k' in (c as object)) walk(c as Expr);
    };
    region.stores.forEach((s) => walk(s.expr));
    return ok;
  }
  return false;
}

function donations(fused: FuseResult, pairs: readonly [number, number][]): { aliases: Map<number, number>; copies: [number, number][] } {
  const aliases = new Map<number, number>();
  const copies: [number, number][] = [];
  const io = fused.kernels.map((k) => kernelBuffers(k));
  for (const [inBuf, outBuf] of pairs) {
    if (inBuf === outBuf) continue;
    const writer = io.findIndex((x) => x.writes.has(outBuf));
    const lastRead = io.reduce((last, x, i) => (x.reads.has(inBuf) ? i : last), -1);
    const inPlace = writer >= 0 && lastRead <= writer && (lastRead < writer || readsOnlyInPlace(fused.kernels[writer]!, inBuf, outBuf));
    const outTouchedBefore = io.slice(0, Math.max(writer, 0)).some((x) => x.reads.has(outBuf));
    if (inPlace && !outTouchedBefore && fused.buffers[outBuf]!.role === 'output') aliases.set(outBuf, inBuf);
    else copies.push([outBuf, inBuf]);
  }
  return { aliases, copies };
}

/** A traced, fused step with its state's donations: what every backend's compileStep starts from. */
export interface StepTrace {
  readonly traced: TracedFunction;
  readonly stateFlat: { readonly leaves: readonly HostTensor[]; readonly paths: readonly string[]; readonly def: TreeDef };
  /** Output positions of the new state and of the other outputs. */
  readonly outStatePositions: readonly number[];
  readonly outOtherPositions: readonly number[];
  readonly outputsDef: TreeDef;
  readonly fused: FuseResult;
  /** New-state buffers written over the old state's memory, and those copied over it after the step. */
  readonly aliases: Map<number, number>;
  readonly copies: [number, number][];
}

/** Traces `fn(state, inputs)`, checks the new state matches the state, fuses, finds donations. */
export function traceStep<S, I, O>(
  fn: (state: Symbolic<S>, inputs: Symbolic<I>) => { state: Symbolic<S>; outputs: O },
  initialState: S,
  exampleInputs: I,
): StepTrace {
  const traced = trace(fn as (...a: never[]) => unknown, [initialState, exampleInputs]);
  const stateFlat = flatten<HostTensor>(initialState, isHost);
  const nState = stateFlat.leaves.length;
  const outStatePositions = traced.outputPaths.map((path, i) => (path.startsWith('state') ? i : -1)).filter((i) => i >= 0);
  const outOtherPositions = traced.outputPaths.map((path, i) => (path.startsWith('outputs') ? i : -1)).filter((i) => i >= 0);
  const outDef = (traced.outputDef as TreeDef & { keys?: readonly string[]; children?: readonly TreeDef[] });
  if (outDef.kind !== 'object' || !outDef.keys.includes('state') || !outDef.keys.includes('outputs')) {
    throw new CompileError('compileStep: the step must return { state, outputs }');
  }
  const newStateDef = outDef.children[outDef.keys.indexOf('state')]!;
  const outputsDef = outDef.children[outDef.keys.indexOf('outputs')]!;
  if (!sameStructure(newStateDef, stateFlat.def) || outStatePositions.length !== nState) {
    throw new CompileError('compileStep: the new state must have the same structure as the state');
  }
  outStatePositions.forEach((o, j) => {
    const a = traced.outputs[o]!;
    const b = traced.inputs[j]!;
    if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) {
      throw new CompileError(`compileStep: new state "${stateFlat.paths[j]}" is ${a.dtype}[${a.shape}] but the state is ${b.dtype}[${b.shape}]`);
    }
  });
  const fused = fuseGraph(traced.inputs, traced.outputs);
  const pairs = outStatePositions.map((o, j) => [fused.inputBuffers[j]!, fused.outputBuffers[o]!] as [number, number]);
  return { traced, stateFlat, outStatePositions, outOtherPositions, outputsDef, fused, ...donations(fused, pairs) };
}

/**
 * Compiles `fn(state, inputs) -> { state: newState, outputs }` for resident state. newState must
 * have the state's structure (same paths, shapes and dtypes). `backend: 'webgpu'` keeps the state
 * in GPU memory and runs only through runAsync (see compiler/backends/webgpu/step.ts).
 */
export function compileStep<S, I, O>(
  fn: (state: Symbolic<S>, inputs: Symbolic<I>) => { state: Symbolic<S>; outputs: O },
  initialState: S,
  exampleInputs: I,
  options: { readonly poisonFreedBuffers?: boolean; readonly backend?: 'cpu' | 'webgpu' } = {},
): CompiledStep<S, I, O> {
  const t0 = performance.now();
  const st = traceStep(fn, initialState, exampleInputs);
  if (options.backend === 'webgpu') return compileWebgpuStep<S, I, O>(st, initialState, t0, options); // webgpu backend
  const { traced, stateFlat, outOtherPositions, outputsDef, fused, aliases, copies } = st;
  const nState = stateFlat.leaves.length;
  const plan: MemoryPlan = planMemory(fused, aliases);
  const exe = new CpuExecutable(fused, plan, { poison: options.poisonFreedBuffers ?? false });
  const stats = {
    kernels: fused.kernels.length, peakBytes: plan.peakBytes, unplannedBytes: plan.unplannedBytes,
    compileMs: performance.now() - t0, donated: aliases.size, copied: copies.length,
  };
  const stateBuffers = fused.inputBuffers.slice(0, nState);
  const inputBuffers = fused.inputBuffers.slice(nState);

  const writeState = (state: S) => {
    const flat = flatten<HostTensor>(state, isHost);
    if (!sameStructure(flat.def, stateFlat.def)) throw new CompileError('writeState: the state has a different structure');
    flat.leaves.forEach((leaf, j) => exe.write(stateBuffers[j]!, leaf.data));
  };
  writeState(initialState);

  const run = (inputs: I): Concrete<O> => {
    const flat = flatten<HostTensor>(inputs, isHost);
    if (flat.leaves.length !== inputBuffers.length) throw new CompileError(`run: expected ${inputBuffers.length} input tensors, got ${flat.leaves.length}`);
    flat.leaves.forEach((leaf, j) => exe.write(inputBuffers[j]!, leaf.data));
    exe.execute();
    for (const [from, to] of copies) exe.copyBuffer(from, to);
    const outs = outOtherPositions.map((o) => {
      const h = exe.read(fused.outputBuffers[o]!);
      return new HostTensor(traced.outputAxes[o]! as Axes, h.shape, h.dtype, h.data);
    });
    return unflatten(outputsDef, outs) as Concrete<O>;
  };
  const readState = (): S =>
    unflatten(
      stateFlat.def,
      stateBuffers.map((b, j) => {
        const h = exe.read(b);
        return new HostTensor(stateFlat.leaves[j]!.axes, h.shape, h.dtype, h.data);
      }),
    ) as S;

  return {
    run,
    runAsync: async (inputs) => run(inputs),
    readState,
    readStateAsync: async () => readState(),
    writeState,
    explain: () => explainProgram(fused, plan, exe.sources()),
    stats,
    flops: countFlops(traced.outputs),
    setProfiling(on: boolean) {
      exe.profile = on ? new Float64Array(fused.kernels.length) : undefined;
      exe.gemmMs = 0;
    },
    gemmMs: () => exe.gemmMs,
    profile() {
      const prof = exe.profile;
      if (!prof) return [];
      return fused.kernels.map((k, i) => ({
        kernel: i,
        kind: k.kind,
        ms: prof[i]!,
        what: k.kind === 'matmul' ? `${k.batch}x[${k.m}x${k.k}]@[${k.k}x${k.n}]${k.a.trans ? 'T' : ''}${k.b.trans ? 'T' : ''} +${k.epilogue?.stores.length ?? 0}` : `${'space' in k ? `[${k.space}]` : ''} ${k.nodes.map((n) => n.op).slice(0, 6).join(',')}`,
      }));
    },
  };
}
