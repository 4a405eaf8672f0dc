import { dtypeBytes } from '../../ir/dtype.ts';
import { IndexError } from '../../ir/errors.ts';
import type { HostArray } from '../../interpreter/hostArray.ts';
import { allocCompiled } from '../../interpreter/hostArray.ts';
import type { Kernel, KernelProgram, MatmulKernel } from '../../kernel/kernel.ts';
import type { MemoryPlan } from '../../schedule/memoryPlan.ts';
import { CompileError } from '../../fusion/errors.ts';
import { type BufferLocation, viewFor } from './jsExpr.ts';
import { type JsKernelSource, mapKernelSource, rowKernelSource, scatterKernelSource } from './jsKernel.ts';
import { gemmScratchBytes, instantiateGemm, type GemmKernel } from './wasm/gemm.ts';

type Views = { F32: Float32Array; I32: Int32Array; U32: Uint32Array; U8: Uint8Array };
type KernelFn = (F32: Float32Array, I32: Int32Array, U32: Uint32Array, U8: Uint8Array, start: number, end: number) => void;

/** One step of the compiled schedule. */
type Step =
  | { readonly kind: 'js'; readonly fn: KernelFn; readonly units: number; readonly source: string; readonly kernel: number }
  | { readonly kind: 'gemm'; readonly k: MatmulKernel; readonly kernel: number };

const PAGE = 65536;

/**
 * A fused program on the CPU: every buffer lives at a planned offset in one WebAssembly.Memory
 * arena, elementwise/row/scatter kernels are generated JavaScript over typed-array views of it,
 * and matmuls run in the WebAssembly SIMD GEMM on the same memory (no copies between them).
 */
export class CpuExecutable {
  readonly memory: WebAssembly.Memory;
  private views!: Views;
  private readonly steps: Step[] = [];
  private readonly gemm: GemmKernel | undefined;
  private readonly scratch: number;
  private readonly scratchBytes: number;
  readonly arenaBytes: number;

  constructor(
    readonly program: KernelProgram,
    readonly plan: MemoryPlan,
    private readonly options: { readonly poison?: boolean } = {},
  ) {
    const matmuls = program.kernels.filter((k): k is MatmulKernel & { nodes: [] } => k.kind === 'matmul');
    this.scratchBytes = Math.max(0, ...matmuls.map((k) => gemmScratchBytes({ m: k.m, n: k.n, k: k.k, transA: k.a.trans, transB: k.b.trans })));
    this.scratch = Math.ceil(plan.peakBytes / 64) * 64;
    this.arenaBytes = this.scratch + this.scratchBytes;
    const pages = Math.max(1, Math.ceil(this.arenaBytes / PAGE));
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.refreshViews();
    this.gemm = matmuls.length ? instantiateGemm(this.memory) : undefined;
    program.kernels.forEach((k, i) => this.compileKernel(k, i));
    for (const [buffer, data] of program.literals) this.write(buffer, data);
  }

  private refreshViews(): void {
    const buf = this.memory.buffer;
    this.views = { F32: new Float32Array(buf), I32: new Int32Array(buf), U32: new Uint32Array(buf), U8: new Uint8Array(buf) };
  }

  /** Where a buffer lives: typed-array view and element offset. */
  location = (buffer: number): BufferLocation => {
    const info = this.program.buffers[buffer];
    if (!info) throw new CompileError(`no buffer ${buffer}`);
    return { view: viewFor(info.dtype), offset: this.plan.offsets[buffer]! / dtypeBytes(info.dtype) };
  };

  private compileKernel(k: Kernel, index: number): void {
    const js = (src: JsKernelSource) => {
      try {
        const fn = new Function('F32', 'I32', 'U32', 'U8', 'start', 'end', `'use strict';\n${src.body}`) as KernelFn;
        this.steps.push({ kind: 'js', fn, units: src.units, source: src.body, kernel: index });
      } catch (e) {
        throw new CompileError(`generated kernel ${index} does not compile: ${(e as Error).message}\n${src.body}`);
      }
    };
    switch (k.kind) {
      case 'map': return js(mapKernelSource(k, this.location));
      case 'row': return js(rowKernelSource(k, this.location));
      case 'scatter': return js(scatterKernelSource(k, this.location));
      case 'matmul':
        this.steps.push({ kind: 'gemm', k, kernel: index });
        if (k.epilogue) js(mapKernelSource(k.epilogue, this.location));
    }
  }

  /** Generated source of every JS kernel, by kernel index (for explain()). */
  sources(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const s of this.steps) if (s.kind === 'js') out.set(s.kernel, [...(out.get(s.kernel) ?? []), s.source]);
    return out;
  }

  write(buffer: number, data: ArrayLike<number>): void {
    const { view, offset } = this.location(buffer);
    const size = this.program.buffers[buffer]!.size;
    if (data.length !== size) throw new CompileError(`buffer ${buffer} holds ${size} values, got ${data.length}`);
    (this.views[view] as { set(a: ArrayLike<number>, o: number): void }).set(data, offset);
  }

  read(buffer: number): HostArray {
    const info = this.program.buffers[buffer]!;
    const out = allocCompiled(info.dtype, info.shape);
    const { view, offset } = this.location(buffer);
    out.data.set((this.views[view] as Float32Array).subarray(offset, offset + info.size));
    return out;
  }

  private runGemm(k: MatmulKernel): void {
    const byte = (b: number, offset: number) => this.plan.offsets[b]! + 4 * offset;
    this.gemm!.gemm({
      m: k.m, n: k.n, k: k.k,
      a: byte(k.a.buffer, k.a.offset), b: byte(k.b.buffer, k.b.offset), c: byte(k.c, 0),
      lda: k.a.ld, ldb: k.b.ld, ldc: k.n,
      transA: k.a.trans, transB: k.b.trans,
      batch: k.batch, strideA: k.a.batchStride, strideB: k.b.batchStride, strideC: k.m * k.n,
      accumulate: false, rowStart: 0, rowEnd: k.m,
      scratch: this.scratch, scratchBytes: this.scratchBytes,
    });
  }

  private poison(kernel: number): void {
    for (const b of this.plan.freedAfter[kernel] ?? []) {
      const { view, offset } = this.location(b);
      const size = this.program.buffers[b]!.size;
      if (view === 'F32') this.views.F32.fill(NaN, offset, offset + size);
      else this.views[view].fill(view === 'U8' ? 0xcd : 0xdeadbeef, offset, offset + size);
    }
  }

  /** Runs the schedule on the values already in the arena's input buffers. */
  execute(): void {
    const { F32, I32, U32, U8 } = this.views;
    let lastKernel = -1;
    for (const step of this.steps) {
      if (this.options.poison && step.kernel !== lastKernel && lastKernel >= 0) this.poison(lastKernel);
      lastKernel = step.kernel;
      if (step.kind === 'gemm') this.runGemm(step.k);
      else {
        try {
          step.fn(F32, I32, U32, U8, 0, step.units);
        } catch (e) {
          if (e instanceof RangeError && e.message.startsWith('IndexError: ')) throw new IndexError(e.message.slice(12), {});
          throw e;
        }
      }
    }
    if (this.options.poison && lastKernel >= 0) this.poison(lastKernel);
  }

  /** Copies inputs in, runs, copies outputs out. */
  run(inputs: readonly HostArray[]): HostArray[] {
    this.program.inputBuffers.forEach((b, i) => this.write(b, inputs[i]!.data));
    this.execute();
    return this.program.outputBuffers.map((b) => this.read(b));
  }
}
