import { dtypeBytes } from '../../ir/dtype.ts';
import { IndexError } from '../../ir/errors.ts';
import type { HostArray } from '../../interpreter/hostArray.ts';
import { allocCompiled } from '../../interpreter/hostArray.ts';
import type { Kernel, KernelProgram, MapKernel, MatmulKernel } from '../../kernel/kernel.ts';
import { type WasmKernel, mapKernelUnsupported, wasmMapKernel } from './simd/mapKernel.ts';
import { rowKernelUnsupported, wasmRowKernel } from './simd/rowKernel.ts';
import { columnKernelUnsupported, wasmColumnKernel } from './simd/columnKernel.ts';
import { transposePlan, wasmTransposeKernel } from './simd/transposeKernel.ts';
import type { MemoryPlan } from '../../schedule/memoryPlan.ts';
import { CompileError } from '../../fusion/errors.ts';
import { type BufferLocation, viewFor } from './jsExpr.ts';
import { type JsKernelSource, mapKernelSource, rowKernelSource, scatterKernelSource } from './jsKernel.ts';
import { type Arena, sharedArena } from './arena.ts';
import { instantiateGemm, type GemmCall, type GemmKernel } from './wasm/gemm.ts';
import { gemmThreadScratchBytes } from './wasm/gemm-parallel.ts';
import { envVar } from '../../../util/env.ts';

type Views = { F32: Float32Array; I32: Int32Array; U32: Uint32Array; U8: Uint8Array };
type KernelFn = (F32: Float32Array, I32: Int32Array, U32: Uint32Array, U8: Uint8Array, start: number, end: number) => void;

/** One step of the compiled schedule; `poolKernel` is set for JS kernels split across threads. */
type Step =
  | { readonly kind: 'js'; readonly fn: KernelFn; readonly units: number; readonly source: string; readonly kernel: number; readonly poolKernel?: number }
  | { readonly kind: 'wasm'; readonly fn: (start: number, end: number) => void; readonly units: number; readonly source: string; readonly kernel: number; readonly poolKernel?: number }
  | { readonly kind: 'gemm'; readonly k: MatmulKernel; readonly kernel: number };

/** Elementwise and row kernels go to WebAssembly SIMD when they can (PRETEXT_SIMD=0 turns it off by default). */
const SIMD_DEFAULT = envVar('PRETEXT_SIMD') !== '0';

/** Below this many elements a kernel runs on the calling thread (a dispatch costs a few µs). */
const PARALLEL_MIN_ELEMENTS = 131072;

const gemms = new WeakMap<Arena, GemmKernel>();
const freeRegion = new FinalizationRegistry<{ arena: Arena; offset: number; bytes: number }>(({ arena, offset, bytes }) => arena.release(offset, bytes));

/** Source of a pool kernel factory: the generated body, split over threads by its outer loop. */
function poolFactorySource(body: string, units: number): string {
  return `(memory) => {
  let n = -1, F32, I32, U32, U8;
  const body = function (F32, I32, U32, U8, start, end) { 'use strict';\n${body}\n};
  return (args, thread, threads) => {
    const buf = memory.buffer;
    if (buf.byteLength !== n) { n = buf.byteLength; F32 = new Float32Array(buf); I32 = new Int32Array(buf); U32 = new Uint32Array(buf); U8 = new Uint8Array(buf); }
    const start = Math.floor(${units} * thread / threads), end = Math.floor(${units} * (thread + 1) / threads);
    if (start < end) body(F32, I32, U32, U8, start, end);
  };
}`;
}

/**
 * A fused program on the CPU: every buffer lives at a planned offset in one WebAssembly.Memory
 * arena, elementwise/row/scatter kernels are generated JavaScript over typed-array views of it,
 * and matmuls run in the WebAssembly SIMD GEMM on the same memory (no copies between them).
 */
export class CpuExecutable {
  readonly memory: WebAssembly.Memory;
  private readonly arena: Arena;
  private views!: Views;
  private viewBytes = -1;
  private readonly steps: Step[] = [];
  /** Byte offset of this program's region in the arena. */
  private readonly base: number;
  private readonly scratch: number;
  private readonly scratchBytes: number;
  readonly regionBytes: number;

  constructor(
    readonly program: KernelProgram,
    readonly plan: MemoryPlan,
    private readonly options: { readonly poison?: boolean; readonly simd?: boolean } = {},
  ) {
    this.arena = sharedArena();
    this.memory = this.arena.memory;
    const matmuls = program.kernels.filter((k): k is MatmulKernel & { nodes: [] } => k.kind === 'matmul');
    this.scratchBytes = Math.max(0, ...matmuls.map((k) => gemmThreadScratchBytes({ m: k.m, n: k.n, k: k.k, transA: k.a.trans, transB: k.b.trans })));
    const scratchOffset = Math.ceil(plan.peakBytes / 64) * 64;
    this.regionBytes = scratchOffset + this.scratchBytes * this.arena.threads;
    this.base = this.arena.alloc(this.regionBytes);
    this.scratch = this.base + scratchOffset;
    freeRegion.register(this, { arena: this.arena, offset: this.base, bytes: this.regionBytes });
    this.refreshViews();
    program.kernels.forEach((k, i) => this.compileKernel(k, i));
    for (const [buffer, data] of program.literals) this.write(buffer, data);
  }

  private refreshViews(): void {
    const buf = this.memory.buffer;
    if (buf.byteLength === this.viewBytes) return;
    this.viewBytes = buf.byteLength;
    this.views = { F32: new Float32Array(buf), I32: new Int32Array(buf), U32: new Uint32Array(buf), U8: new Uint8Array(buf) };
  }

  private get gemm(): GemmKernel {
    let g = gemms.get(this.arena);
    if (!g) gemms.set(this.arena, (g = instantiateGemm(this.memory)));
    return g;
  }

  /** Where a buffer lives: typed-array view and element offset. */
  location = (buffer: number): BufferLocation => {
    const info = this.program.buffers[buffer];
    if (!info) throw new CompileError(`no buffer ${buffer}`);
    return { view: viewFor(info.dtype), offset: (this.base + this.plan.offsets[buffer]!) / dtypeBytes(info.dtype) };
  };

  private compileKernel(k: Kernel, index: number): void {
    const js = (src: JsKernelSource, elements: number) => {
      let fn: KernelFn;
      try {
        fn = new Function('F32', 'I32', 'U32', 'U8', 'start', 'end', `'use strict';\n${src.body}`) as KernelFn;
      } catch (e) {
        throw new CompileError(`generated kernel ${index} does not compile: ${(e as Error).message}\n${src.body}`);
      }
      const pool = src.units >= 2 && elements >= PARALLEL_MIN_ELEMENTS ? this.arena.pool() : undefined;
      const poolKernel = pool?.registerJs(poolFactorySource(src.body, src.units));
      this.steps.push({ kind: 'js', fn, units: src.units, source: src.body, kernel: index, ...(poolKernel !== undefined ? { poolKernel } : {}) });
    };
    const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
    const simd = this.options.simd ?? SIMD_DEFAULT;
    const dtypeOf = (b: number) => this.program.buffers[b]!.dtype;
    const map = (m: MapKernel) => {
      if (simd && mapKernelUnsupported(m, dtypeOf) === undefined) return this.wasm(wasmMapKernel(m, this.byteOffset), size(m.space), index, mapKernelSource(m, this.location).body);
      const transpose = simd ? transposePlan(m, dtypeOf) : 'disabled';
      if (typeof transpose !== 'string') return this.wasm(wasmTransposeKernel(m, transpose, this.byteOffset), size(m.space), index, mapKernelSource(m, this.location).body);
      js(mapKernelSource(m, this.location), size(m.space));
    };
    switch (k.kind) {
      case 'map': return map(k);
      case 'row': {
        if (simd && rowKernelUnsupported(k, dtypeOf) === undefined) return this.wasm(wasmRowKernel(k, this.byteOffset), size(k.space), index, rowKernelSource(k, this.location).body);
        if (simd && columnKernelUnsupported(k, dtypeOf) === undefined) return this.wasm(wasmColumnKernel(k, this.byteOffset), size(k.space), index, rowKernelSource(k, this.location).body);
        return js(rowKernelSource(k, this.location), size(k.space));
      }
      case 'scatter': return js(scatterKernelSource(k, this.location), 0);
      case 'matmul':
        this.steps.push({ kind: 'gemm', k, kernel: index });
        if (k.epilogue) map(k.epilogue);
    }
  }

  /** Byte address of a buffer in the arena. */
  private byteOffset = (buffer: number): number => this.base + this.plan.offsets[buffer]!;

  /** A WebAssembly SIMD kernel: instantiated here, registered with the pool when worth splitting. */
  private wasm(kernel: WasmKernel, elements: number, index: number, jsSource: string): void {
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(kernel.bytes);
    } catch (e) {
      throw new CompileError(`generated wasm kernel ${index} is invalid: ${(e as Error).message}`);
    }
    const fn = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports['kernel'] as (start: number, end: number) => void;
    const pool = kernel.units >= 2 && elements >= PARALLEL_MIN_ELEMENTS ? this.arena.pool() : undefined;
    const poolKernel = pool?.registerWasm(module, 'kernel', 2);
    const source = `// WebAssembly SIMD (${kernel.bytes.length} bytes); the same computation in JavaScript:\n${jsSource}`;
    this.steps.push({ kind: 'wasm', fn, units: kernel.units, source, kernel: index, ...(poolKernel !== undefined ? { poolKernel } : {}) });
  }

  /** How many kernels (or matmul epilogues) run as WebAssembly SIMD. */
  simdKernels(): number {
    return this.steps.filter((s) => s.kind === 'wasm').length;
  }

  /** Generated source of every JS kernel, by kernel index (for explain()). */
  sources(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const s of this.steps) if (s.kind !== 'gemm') out.set(s.kernel, [...(out.get(s.kernel) ?? []), s.source]);
    return out;
  }

  write(buffer: number, data: ArrayLike<number>): void {
    this.refreshViews();
    const { view, offset } = this.location(buffer);
    const size = this.program.buffers[buffer]!.size;
    if (data.length !== size) throw new CompileError(`buffer ${buffer} holds ${size} values, got ${data.length}`);
    (this.views[view] as { set(a: ArrayLike<number>, o: number): void }).set(data, offset);
  }

  read(buffer: number): HostArray {
    this.refreshViews();
    const info = this.program.buffers[buffer]!;
    const out = allocCompiled(info.dtype, info.shape);
    const { view, offset } = this.location(buffer);
    out.data.set((this.views[view] as Float32Array).subarray(offset, offset + info.size));
    return out;
  }

  private runGemm(k: MatmulKernel): void {
    const byte = (b: number, offset: number) => this.base + this.plan.offsets[b]! + 4 * offset;
    const call: GemmCall = {
      m: k.m, n: k.n, k: k.k,
      a: byte(k.a.buffer, k.a.offset), b: byte(k.b.buffer, k.b.offset), c: byte(k.c, 0),
      lda: k.a.ld, ldb: k.b.ld, ldc: k.n,
      transA: k.a.trans, transB: k.b.trans,
      batch: k.batch, strideA: k.a.batchStride, strideB: k.b.batchStride, strideC: k.m * k.n,
      accumulate: false, rowStart: 0, rowEnd: k.m,
      scratch: this.scratch, scratchBytes: this.scratchBytes,
    };
    const parallel = this.arena.parallelGemm();
    if (parallel) parallel.gemm(call);
    else this.gemm.gemm(call);
  }

  private poison(kernel: number): void {
    for (const b of this.plan.freedAfter[kernel] ?? []) {
      const { view, offset } = this.location(b);
      const size = this.program.buffers[b]!.size;
      if (view === 'F32') this.views.F32.fill(NaN, offset, offset + size);
      else this.views[view].fill(view === 'U8' ? 0xcd : 0xdeadbeef, offset, offset + size);
    }
  }

  /** Milliseconds spent per kernel over the profiled runs (profiling on when set). */
  profile: Float64Array | undefined;
  /** Of which in the GEMM itself (not its epilogue). */
  gemmMs = 0;

  /** Runs the schedule on the values already in the arena's input buffers. */
  execute(): void {
    this.refreshViews();
    const { F32, I32, U32, U8 } = this.views;
    const pool = this.arena.pool();
    let lastKernel = -1;
    const prof = this.profile;
    for (const step of this.steps) {
      const t0 = prof ? performance.now() : 0;
      if (this.options.poison && step.kernel !== lastKernel && lastKernel >= 0) this.poison(lastKernel);
      lastKernel = step.kernel;
      if (step.kind === 'gemm') this.runGemm(step.k);
      else {
        try {
          if (step.poolKernel !== undefined && pool) {
            if (step.kind === 'wasm') {
              for (let t = 0; t < pool.threads; t++) {
                const a = pool.args(t);
                a[0] = Math.floor((step.units * t) / pool.threads);
                a[1] = Math.floor((step.units * (t + 1)) / pool.threads);
              }
            }
            pool.run(step.poolKernel);
          } else if (step.kind === 'wasm') step.fn(0, step.units);
          else step.fn(F32, I32, U32, U8, 0, step.units);
        } catch (e) {
          const m = /IndexError: (.*?)(;|$)/.exec((e as Error).message);
          if (m) throw new IndexError(m[1]!, {});
          throw e;
        }
      }
      if (prof) {
        const dt = performance.now() - t0;
        prof[step.kernel] = prof[step.kernel]! + dt;
        if (step.kind === 'gemm') this.gemmMs += dt;
      }
    }
    if (this.options.poison && lastKernel >= 0) this.poison(lastKernel);
  }

  /** Copies one buffer's contents over another of the same size and dtype (within the arena). */
  copyBuffer(src: number, dst: number): void {
    const { view, offset } = this.location(src);
    const to = this.location(dst).offset;
    const size = this.program.buffers[src]!.size;
    const v = this.views[view] as Float32Array;
    v.copyWithin(to, offset, offset + size);
  }

  /** Copies inputs in, runs, copies outputs out. */
  run(inputs: readonly HostArray[]): HostArray[] {
    this.program.inputBuffers.forEach((b, i) => this.write(b, inputs[i]!.data));
    this.execute();
    return this.program.outputBuffers.map((b) => this.read(b));
  }
}
