import type { HostArray } from '../../interpreter/hostArray.ts';
import type { KernelProgram } from '../../kernel/kernel.ts';
import { GpujsAsyncModeError, GpujsKernelError } from './errors.ts';
import type { FinalSpec } from './kernelSpec.ts';
import { MODE_TRAITS, type GpujsMode } from './modes.ts';
import { type ProgramSpecs, programSpecs } from './programSpecs.ts';
import { fromDevice, toDevice } from './repr.ts';
import { type GpuKernel, ensureWebGPU, gpuFor, kernelMode, kernelSettings } from './runtime.ts';

const UPLOAD_SOURCE = 'function (a0) {\n  return a0[this.thread.x];\n}';

/** A value or handle gpu.js can take as an array argument; Promises only in webgpu mode. */
type Step = unknown;
const isPromise = (x: unknown): x is Promise<unknown> => typeof (x as { then?: unknown } | null)?.then === 'function';

/**
 * A fused program on gpu.js: every kernel of the program is one or more gpu.js kernels (built on
 * the first run), run in order with `pipeline: true` so intermediates stay in device memory
 * (WebGPU buffers, WebGL textures; typed arrays in the cpu and webasm modes). Inputs are uploaded
 * once per run, literals once per program, and outputs come back in one readback.
 */
export class GpujsExecutable {
  readonly specs: ProgramSpecs;
  private kernels: GpuKernel[] | undefined;
  private uploads = new Map<number, GpuKernel>();
  private literalValues = new Map<number, unknown>();
  private ready = false;
  /** Runs in flight: they share every kernel's output buffer, so they take turns. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly program: KernelProgram,
    readonly mode: GpujsMode,
    /** Array arguments per gpu.js kernel (default: the mode's limit; tests lower it to exercise packing). */
    maxArgs?: number,
  ) {
    this.specs = programSpecs(program, mode, maxArgs);
  }

  /** gpu.js source of every kernel, by program kernel index (for explain()). */
  sources(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const s of this.specs.specs) {
      if (s.kernel < 0) continue;
      const helpers = s.helpers.length ? `  [helpers: ${s.helpers.join(', ')}]` : '';
      out.set(s.kernel, [...(out.get(s.kernel) ?? []), `// ${s.name} -> ${this.specs.slots[s.out]!.what}, ${this.specs.slots[s.out]!.floats} threads${helpers}\n${s.source}`]);
    }
    return out;
  }

  /** Bytes of device memory the program's values take (gpu.js allocates each kernel's output). */
  deviceBytes(): number {
    return this.specs.slots.reduce((n, s) => n + 4 * s.floats, 0);
  }

  private createKernel(source: string, floats: number, spec?: FinalSpec): GpuKernel {
    try {
      return gpuFor(this.mode).createKernel(source, kernelSettings(this.mode, spec?.helpers ?? [], floats));
    } catch (e) {
      throw new GpujsKernelError(this.mode, `creating kernel ${spec?.name ?? 'upload'}`, e, source);
    }
  }

  private setup(): void {
    if (this.kernels) return;
    this.kernels = this.specs.specs.map((s) => this.createKernel(s.source, this.specs.slots[s.out]!.floats, s));
    if (MODE_TRAITS[this.mode].device) {
      const uploaded = [...this.program.inputBuffers, ...this.program.literals.keys()];
      for (const b of new Set(uploaded)) this.uploads.set(b, this.createKernel(UPLOAD_SOURCE, this.specs.slots[b]!.floats));
    }
  }

  /** gpu.js silently degrades some kernels to its cpu mode; a test of a mode must see that. */
  private checkMode(k: GpuKernel, spec: FinalSpec | undefined): void {
    const ran = k.kernel ? kernelMode(k.kernel) : undefined;
    if (ran && ran !== this.mode) {
      throw new GpujsKernelError(this.mode, `kernel ${spec?.name ?? 'upload'} fell back to gpu.js mode '${ran}'`, k.kernel?.fallbackReason ?? 'no reason given', spec?.source ?? UPLOAD_SOURCE);
    }
  }

  /**
   * The run as a sequence of gpu.js calls: each yielded value is a kernel result (or readback),
   * possibly a Promise, sent back resolved by the driver (synchronous or asynchronous).
   */
  private *steps(inputs: readonly HostArray[]): Generator<Step, HostArray[], unknown> {
    this.setup();
    const kernels = this.kernels!;
    const values = new Map<number, unknown>();
    const device = MODE_TRAITS[this.mode].device;
    const first = !this.ready;
    const call = function* (this: GpujsExecutable, k: GpuKernel, args: unknown[], spec: FinalSpec | undefined): Generator<Step, unknown, unknown> {
      let r: unknown;
      try {
        r = k(...args);
      } catch (e) {
        throw new GpujsKernelError(this.mode, `running kernel ${spec?.name ?? 'upload'}`, e, spec?.source ?? UPLOAD_SOURCE);
      }
      const v = yield isPromise(r) ? r.catch((e: unknown) => {
        throw new GpujsKernelError(this.mode, `running kernel ${spec?.name ?? 'upload'}`, e, spec?.source ?? UPLOAD_SOURCE);
      }) : r;
      if (first) this.checkMode(k, spec);
      return v;
    }.bind(this);

    this.program.inputBuffers.forEach((b, i) => {
      const host = toDevice(this.program.buffers[b]!.dtype, inputs[i]!.data);
      values.set(b, host);
    });
    for (const [b, data] of this.program.literals) {
      if (!this.literalValues.has(b)) {
        const host = toDevice(this.program.buffers[b]!.dtype, data);
        this.literalValues.set(b, device ? yield* call(this.uploads.get(b)!, [host], undefined) : host);
      }
      values.set(b, this.literalValues.get(b));
    }
    if (device) {
      for (const b of new Set(this.program.inputBuffers)) values.set(b, yield* call(this.uploads.get(b)!, [values.get(b)], undefined));
    }
    for (let i = 0; i < kernels.length; i++) {
      const spec = this.specs.specs[i]!;
      values.set(spec.out, yield* call(kernels[i]!, spec.args.map((s) => values.get(s)), spec));
    }
    this.ready = true;

    const outputs = this.program.outputBuffers;
    const read = (floats: ArrayLike<number>, offsets: Map<number, number>) =>
      outputs.map((b) => {
        const info = this.program.buffers[b]!;
        return { dtype: info.dtype, shape: info.shape, data: fromDevice(info.dtype, floats, offsets.get(b)!, info.size) };
      });
    const rb = this.specs.readback;
    if (!rb) {
      return outputs.map((b) => {
        const info = this.program.buffers[b]!;
        return { dtype: info.dtype, shape: info.shape, data: fromDevice(info.dtype, values.get(b) as ArrayLike<number>, 0, info.size) };
      });
    }
    const handle = values.get(rb.slot) as { toArray(): unknown } | ArrayLike<number>;
    const floats = 'toArray' in handle ? yield handle.toArray() : handle;
    const offsets = new Map<number, number>();
    let offset = 0;
    for (const b of rb.parts) {
      offsets.set(b, offset);
      offset += this.specs.slots[b]!.floats;
    }
    return read(floats as ArrayLike<number>, offsets);
  }

  /** Runs synchronously (cpu, webasm, webgl2). */
  run(inputs: readonly HostArray[]): HostArray[] {
    if (MODE_TRAITS[this.mode].async) throw new GpujsAsyncModeError(this.mode);
    const gen = this.steps(inputs);
    let r = gen.next();
    while (!r.done) {
      if (isPromise(r.value)) throw new GpujsAsyncModeError(this.mode);
      r = gen.next(r.value);
    }
    return r.value;
  }

  /** Runs in any mode; the only way to run webgpu (its readback is asynchronous). */
  runAsync(inputs: readonly HostArray[]): Promise<HostArray[]> {
    const run = this.queue.then(async () => {
      if (this.mode === 'webgpu') await ensureWebGPU();
      const gen = this.steps(inputs);
      let r = gen.next();
      while (!r.done) r = gen.next(await r.value);
      return r.value;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
