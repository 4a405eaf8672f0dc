/// <reference types="@webgpu/types" />
import { IndexError } from '../../ir/errors.ts';
import type { HostArray } from '../../interpreter/hostArray.ts';
import type { KernelProgram } from '../../kernel/kernel.ts';
import type { MemoryPlan } from '../../schedule/memoryPlan.ts';
import { type ArenaLayout, arenaLimit, splitArenas, wordPlace } from './arenas.ts';
import { type WebgpuContext, checkAlive, webgpuContext } from './device.ts';
import { WebgpuDeviceLostError, WebgpuLimitError, WebgpuRunError, WebgpuShaderError } from './errors.ts';
import { fromWords, toWords } from './hostWords.ts';
import type { ShaderSpec } from './shaderModule.ts';
import type { SiteTable } from './programShaders.ts';

interface Pipeline {
  readonly spec: ShaderSpec;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
}

interface Runtime {
  readonly ctx: WebgpuContext;
  readonly layout: ArenaLayout;
  readonly arenas: readonly GPUBuffer[];
  readonly status: GPUBuffer | undefined;
  readonly pipelines: readonly Pipeline[];
}

/** Status words: [0] the highest failing index-check site id (0 = none). */
const STATUS_WORDS = 4;

/**
 * A fused program on a WebGPU device: every buffer lives at its planned offset in a storage
 * buffer (an arena: one, or several when the plan exceeds the device's binding or buffer size), each kernel is one compute shader, and a run is one command submission —
 * inputs written into the arena, every dispatch in one compute pass, the requested buffers copied
 * to a staging buffer and mapped. Submissions go to the queue in call order, so a caller may
 * submit the next run before the previous one's results have come back.
 */
export class WebgpuExecutable {
  private runtime: Promise<Runtime> | undefined;

  /** The shaders for a GPU until the device is known, then those for the device. */
  shaders: readonly ShaderSpec[];

  constructor(
    readonly program: KernelProgram,
    /** Offsets with every element one 32-bit word (bools included). */
    readonly plan: MemoryPlan,
    /** The program's dispatches for a device (software or not) and an arena layout. */
    private readonly shadersFor: (software: boolean, layout: ArenaLayout) => readonly ShaderSpec[],
    private readonly sites: SiteTable,
  ) {
    this.shaders = shadersFor(false, splitArenas(plan, arenaLimit(Infinity)));
  }

  /** WGSL of every shader, by program kernel index (for explain()). */
  sources(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const s of this.shaders) {
      if (s.kernel < 0) continue;
      const note = `// ${s.label}: ${s.workgroups.join('x')} workgroups of ${s.invocations}${s.workgroupBytes ? `, ${s.workgroupBytes} bytes of workgroup memory` : ''}`;
      out.set(s.kernel, [...(out.get(s.kernel) ?? []), `${note}\n${s.wgsl}`]);
    }
    return out;
  }

  /** The device, arena and pipelines, made on first use. */
  ready(): Promise<Runtime> {
    this.runtime ??= this.start();
    return this.runtime;
  }

  private async start(): Promise<Runtime> {
    const ctx = await webgpuContext();
    const { device } = ctx;
    const limits = device.limits;
    const byBuffer = limits.maxBufferSize < limits.maxStorageBufferBindingSize;
    const layout = splitArenas(this.plan, arenaLimit(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)), byBuffer ? 'maxBufferSize' : 'maxStorageBufferBindingSize');
    this.shaders = this.shadersFor(ctx.software, layout);
    for (const s of this.shaders) {
      const storage = s.arenas.length + (s.usesStatus ? 1 : 0);
      if (storage > limits.maxStorageBuffersPerShaderStage) throw new WebgpuLimitError('maxStorageBuffersPerShaderStage', storage, limits.maxStorageBuffersPerShaderStage, `shader ${s.label} (the arenas it touches)`);
      if (s.workgroupBytes > limits.maxComputeWorkgroupStorageSize) throw new WebgpuLimitError('maxComputeWorkgroupStorageSize', s.workgroupBytes, limits.maxComputeWorkgroupStorageSize, `shader ${s.label}`);
      if (s.invocations > limits.maxComputeInvocationsPerWorkgroup) throw new WebgpuLimitError('maxComputeInvocationsPerWorkgroup', s.invocations, limits.maxComputeInvocationsPerWorkgroup, `shader ${s.label}`);
    }
    device.pushErrorScope('out-of-memory');
    const arenas = layout.bytes.map((b, i) => device.createBuffer({ label: `pretext arena ${i}`, size: Math.ceil(Math.max(16, b) / 16) * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }));
    const oom = await device.popErrorScope();
    if (oom) throw new WebgpuRunError(`allocating ${this.plan.peakBytes} bytes of device memory in ${arenas.length} arenas`, oom.message);
    const status = this.shaders.some((s) => s.usesStatus)
      ? device.createBuffer({ label: 'pretext status', size: 4 * STATUS_WORDS, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST })
      : undefined;
    const pipelines = await Promise.all(this.shaders.map((spec) => this.pipeline(device, spec, arenas, status)));
    const rt = { ctx, layout, arenas, status, pipelines };
    for (const [b, data] of this.program.literals) this.writeWith(rt, b, data);
    return rt;
  }

  private async pipeline(device: GPUDevice, spec: ShaderSpec, arenas: readonly GPUBuffer[], status: GPUBuffer | undefined): Promise<Pipeline> {
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: spec.label, code: spec.wgsl });
    const popped = device.popErrorScope(); // popped at once: the other shaders are created concurrently
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    const scope = await popped;
    if (errors.length || scope) {
      throw new WebgpuShaderError(spec.label, errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ') || scope!.message, spec.wgsl);
    }
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await device.createComputePipelineAsync({ label: spec.label, layout: 'auto', compute: { module, entryPoint: 'main' } });
    } catch (e) {
      throw new WebgpuShaderError(spec.label, (e as Error).message, spec.wgsl);
    }
    const entries: GPUBindGroupEntry[] = spec.arenas.map((a) => ({ binding: a + 1, resource: { buffer: arenas[a]! } }));
    if (spec.usesStatus) entries.push({ binding: 0, resource: { buffer: status! } });
    return { spec, pipeline, bindGroup: device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }) };
  }

  private writeWith(rt: Pick<Runtime, 'ctx' | 'layout' | 'arenas'>, buffer: number, data: ArrayLike<number>): void {
    const info = this.program.buffers[buffer]!;
    if (data.length !== info.size) throw new WebgpuRunError(`writing buffer ${buffer}`, `it holds ${info.size} values, got ${data.length}`);
    const { arena, word } = wordPlace(this.plan, rt.layout, buffer);
    if (info.size > 0) rt.ctx.device.queue.writeBuffer(rt.arenas[arena]!, 4 * word, toWords(info.dtype, data));
  }

  /**
   * One submission: `writes` into the arena, then (when `dispatch`) every shader, then the
   * `reads` copied out. Resolves with the reads once the GPU has finished; an index that was out
   * of range during the run is an IndexError naming its site.
   */
  async submit(writes: readonly (readonly [number, ArrayLike<number>])[], reads: readonly number[], dispatch = true): Promise<HostArray[]> {
    const rt = await this.ready();
    const { ctx, status } = rt;
    checkAlive(ctx);
    const { device } = ctx;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    for (const [b, data] of writes) this.writeWith(rt, b, data);
    const encoder = device.createCommandEncoder();
    const withStatus = dispatch && status !== undefined;
    if (withStatus) encoder.clearBuffer(status);
    if (dispatch && rt.pipelines.length) {
      const pass = encoder.beginComputePass();
      for (const p of rt.pipelines) {
        pass.setPipeline(p.pipeline);
        pass.setBindGroup(0, p.bindGroup);
        pass.dispatchWorkgroups(...p.spec.workgroups);
      }
      pass.end();
    }
    const sizes = reads.map((b) => 4 * this.program.buffers[b]!.size);
    const stagingBytes = sizes.reduce((a, b) => a + b, 0) + (withStatus ? 4 * STATUS_WORDS : 0);
    const staging = stagingBytes > 0 ? device.createBuffer({ size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }) : undefined;
    let at = 0;
    reads.forEach((b, i) => {
      const { arena, word } = wordPlace(this.plan, rt.layout, b);
      if (sizes[i]! > 0) encoder.copyBufferToBuffer(rt.arenas[arena]!, 4 * word, staging!, at, sizes[i]!);
      at += sizes[i]!;
    });
    if (withStatus) encoder.copyBufferToBuffer(status, 0, staging!, at, 4 * STATUS_WORDS);
    device.queue.submit([encoder.finish()]);
    // both scopes are popped now: another submission may push its own while this one waits
    const [oom, invalid] = await Promise.all([device.popErrorScope(), device.popErrorScope()]);
    if (oom || invalid) throw new WebgpuRunError('running the program', (oom ?? invalid)!.message);
    if (!staging) return reads.map((b) => fromWords(this.program.buffers[b]!.dtype, this.program.buffers[b]!.shape, new Uint32Array(0)));
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (e) {
      if (ctx.lost !== undefined) throw new WebgpuDeviceLostError(ctx.lost);
      throw new WebgpuRunError('reading results back', (e as Error).message);
    }
    const words = new Uint32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    if (withStatus && words[at / 4]! !== 0) {
      const site = this.sites.sites[words[at / 4]! - 1] ?? 'unknown site';
      throw new IndexError(`an index was out of range (${site})`, { site });
    }
    at = 0;
    return reads.map((b, i) => {
      const info = this.program.buffers[b]!;
      const out = fromWords(info.dtype, info.shape, words.subarray(at / 4, at / 4 + info.size));
      at += sizes[i]!;
      return out;
    });
  }

  /** Resolves when every submission so far has finished on the GPU (timing without readback). */
  async finished(): Promise<void> {
    const { ctx } = await this.ready();
    await ctx.device.queue.onSubmittedWorkDone();
    checkAlive(ctx);
  }

  /** Copies inputs in, runs, reads the outputs back. */
  runAsync(inputs: readonly HostArray[]): Promise<HostArray[]> {
    return this.submit(this.program.inputBuffers.map((b, i) => [b, inputs[i]!.data] as const), this.program.outputBuffers);
  }
}
