import type { Axes } from '../dsl/axes.ts';
import type { HostTensor } from '../dsl/host.ts';
import { type Concrete, type Symbolic, type TracedFunction, assembleOutputs, flattenArgs, trace } from '../dsl/trace.ts';
import { CpuExecutable } from './backends/cpu/cpuExecutable.ts';
import type { GpujsMode } from './backends/gpujs/modes.ts'; // gpujs backend
import { buildWebgpu } from './backends/webgpu/build.ts'; // webgpu backend
import { explainProgram } from './explain.ts';
import { gpujsBackend } from './gpujsBackend.ts'; // gpujs backend (loaded on demand in browsers)
import { type FlopCount, countFlops } from './flops.ts';
import { graphFingerprint } from './fingerprint.ts';
import { type FuseResult, fuseGraph } from './fusion/fuse.ts';
import type { HostArray } from './interpreter/hostArray.ts';
import { interpret } from './interpreter/interpret.ts';
import type { Node } from './ir/node.ts';
import { ShapeError } from './ir/errors.ts';
import { type MemoryPlan, planMemory } from './schedule/memoryPlan.ts';
import { envVar } from '../util/env.ts';

export type BackendName = 'cpu' | 'interpreter' | 'gpujs' | 'webgpu';

export interface CompileOptions {
  readonly backend?: BackendName;
  /** Fill every buffer with garbage as soon as the memory plan says it is dead (tests the plan). */
  readonly poisonFreedBuffers?: boolean;
  /** gpujs backend: the gpu.js mode (default 'cpu'); 'webgpu' runs only through runAsync. */
  readonly gpujsMode?: GpujsMode;
  /** cpu backend: elementwise and row kernels in WebAssembly SIMD where they vectorise (default true; env PRETEXT_SIMD=0 turns it off). */
  readonly simd?: boolean;
}

export interface ProgramStats {
  readonly kernels: number;
  readonly peakBytes: number;
  readonly unplannedBytes: number;
  readonly compileMs: number;
  /** cpu backend: kernels (or matmul epilogues) running as WebAssembly SIMD. */
  readonly simdKernels?: number;
}

/** What a backend runs: flat host arrays in, flat host arrays out. */
export interface Executable {
  run(inputs: readonly HostArray[]): HostArray[];
  /** Backends with an asynchronous mode (gpujs webgpu, webgpu); the others run synchronously. */
  runAsync?(inputs: readonly HostArray[]): Promise<HostArray[]>;
  explain(): string;
  readonly stats: ProgramStats;
  readonly fused?: FuseResult;
}

export interface CompiledFunction<Args extends readonly unknown[], R> {
  (...args: Args): Concrete<R>;
  /** The same call as a Promise: the only way to run the webgpu backend and the gpujs backend's webgpu mode. */
  runAsync(...args: Args): Promise<Concrete<R>>;
  /** Kernels, fused ops, buffers and generated source. */
  explain(): string;
  readonly stats: ProgramStats;
  /** The fused kernel program (for tests and tools). */
  readonly fused: FuseResult | undefined;
  readonly traced: TracedFunction;
  /** Floating-point operations of one call (counted on the graph when first read). */
  readonly flops: FlopCount;
}

const cache = new Map<string, Executable>();
/** Input signatures each function has been compiled for (to report re-specialisations once). */
const signatures = new WeakMap<object, Set<string>>();

/**
 * A function compiled again for new input shapes gets a new program; say so once per shape (to
 * stderr, unless PRETEXT_QUIET is set): silent re-compilation is a classic source of slow loops.
 */
function noteSpecialisation(fn: object, traced: TracedFunction): void {
  const sig = traced.inputs.map((n, i) => `${traced.inputPaths[i] || 'arg'}:${n.dtype}[${n.shape}]`).join(' ');
  let seen = signatures.get(fn);
  if (!seen) signatures.set(fn, (seen = new Set()));
  if (seen.has(sig)) return;
  if (seen.size > 0 && !envVar('PRETEXT_QUIET')) {
    console.error(`pretext: compiling ${(fn as { name?: string }).name || 'a function'} again for new input shapes (${sig})`);
  }
  seen.add(sig);
}

function build(traced: TracedFunction, options: CompileOptions): Executable {
  const t0 = performance.now();
  if (options.backend === 'interpreter') {
    return {
      run: (inputs) => interpret(traced.outputs, new Map<Node, HostArray>(traced.inputs.map((n, i) => [n, inputs[i]!]))),
      explain: () => 'reference interpreter (no kernels)',
      stats: { kernels: 0, peakBytes: 0, unplannedBytes: 0, compileMs: performance.now() - t0 },
    };
  }
  const fused = fuseGraph(traced.inputs, traced.outputs);
  if (options.backend === 'gpujs') return gpujsBackend().buildGpujs(fused, options.gpujsMode ?? 'cpu', t0); // gpujs backend
  if (options.backend === 'webgpu') return buildWebgpu(fused, t0, { poison: options.poisonFreedBuffers ?? false }); // webgpu backend
  const plan: MemoryPlan = planMemory(fused);
  const exe = new CpuExecutable(fused, plan, { poison: options.poisonFreedBuffers ?? false, ...(options.simd !== undefined ? { simd: options.simd } : {}) });
  const stats = { kernels: fused.kernels.length, peakBytes: plan.peakBytes, unplannedBytes: plan.unplannedBytes, compileMs: performance.now() - t0, simdKernels: exe.simdKernels() };
  return { run: (inputs) => exe.run(inputs), explain: () => explainProgram(fused, plan, exe.sources()), stats, fused };
}

/**
 * Compiles fn for arguments shaped like `exampleArgs` (trees of HostTensor or TensorSpec):
 * trace -> lower -> fuse -> plan memory -> generate kernels. The result is called with HostTensor
 * trees of the same shapes and returns fn's output tree as HostTensors. Programs are cached by the
 * graph's structure and input shapes.
 */
export function compile<const Args extends readonly unknown[], R>(
  fn: (...args: Symbolic<Args>) => R,
  exampleArgs: Args,
  options: CompileOptions = {},
): CompiledFunction<Args, R> {
  const traced = trace(fn as (...a: never[]) => unknown, exampleArgs);
  noteSpecialisation(fn, traced);
  const key = `${options.backend ?? 'cpu'}${options.backend === 'gpujs' ? `:${options.gpujsMode ?? 'cpu'}` : ''}|${options.poisonFreedBuffers ? 'p' : ''}${options.simd === false ? 'n' : ''}|${graphFingerprint(traced.inputs, traced.outputs)}`;
  let exe = cache.get(key);
  if (!exe) {
    exe = build(traced, options);
    cache.set(key, exe);
  }
  const executable = exe;
  const checkedLeaves = (args: Args): HostTensor<Axes>[] => {
    const leaves: HostTensor<Axes>[] = flattenArgs(traced, args);
    leaves.forEach((leaf, i) => {
      const n = traced.inputs[i]!;
      if (leaf.dtype !== n.dtype || leaf.shape.length !== n.shape.length || leaf.shape.some((d, k) => d !== n.shape[k])) {
        throw new ShapeError(
          `compiled function: input "${traced.inputPaths[i] || i}" is ${leaf.dtype}[${leaf.shape}] but it was compiled for ${n.dtype}[${n.shape}] (compile again for new shapes)`,
          { input: traced.inputPaths[i] },
        );
      }
    });
    return leaves;
  };
  const call = (...args: Args): Concrete<R> => assembleOutputs(traced, executable.run(checkedLeaves(args))) as Concrete<R>;
  const runAsync = async (...args: Args): Promise<Concrete<R>> => {
    const leaves = checkedLeaves(args);
    return assembleOutputs(traced, executable.runAsync ? await executable.runAsync(leaves) : executable.run(leaves)) as Concrete<R>;
  };
  const program = Object.assign(call, { runAsync, explain: () => executable.explain(), stats: executable.stats, fused: executable.fused, traced });
  let flops: FlopCount | undefined;
  return Object.defineProperty(program, 'flops', { get: () => (flops ??= countFlops(traced.outputs)), enumerable: true }) as typeof program & { readonly flops: FlopCount };
}
