/// <reference types="@webgpu/types" />
import { WebgpuDeviceLostError, WebgpuUnavailableError } from './errors.ts';
import { navigatorGpu } from './navigatorGpu.ts';

/** A device and what is known about it; `lost` is set once the device is gone. */
export interface WebgpuContext {
  readonly device: GPUDevice;
  readonly adapterName: string;
  /** A software adapter (SwiftShader): its shader compiler chokes on large register blocks. */
  readonly software: boolean;
  lost?: string;
}

let current: Promise<WebgpuContext> | undefined;

/** Limits the backend raises to the adapter's maxima (large and several arenas; the rest keep their defaults). */
const RAISED_LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup'] as const;

async function open(): Promise<WebgpuContext> {
  const gpu = await navigatorGpu();
  if (typeof gpu === 'string') throw new WebgpuUnavailableError(gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebgpuUnavailableError('navigator.gpu.requestAdapter() found no adapter (no GPU, and no software Vulkan such as SwiftShader visible to this process)');
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (e) {
    throw new WebgpuUnavailableError(`the adapter would not give a device (${(e as Error).message})`);
  }
  const info = adapter.info;
  const adapterName = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
  const software = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || /swiftshader|llvmpipe|software/i.test(adapterName);
  const ctx: WebgpuContext = { device, adapterName, software };
  void device.lost.then((l) => {
    ctx.lost = `${l.reason}: ${l.message}`;
    if (current && ctx === lastOpened) current = undefined;
  });
  lastOpened = ctx;
  return ctx;
}
let lastOpened: WebgpuContext | undefined;

/** The process-wide WebGPU device (opened on first use; a new one after the last was lost). */
export function webgpuContext(): Promise<WebgpuContext> {
  if (!current) {
    current = open();
    current.catch(() => {
      current = undefined;
    });
  }
  return current;
}

/** Throws WebgpuDeviceLostError when the context's device is gone. */
export function checkAlive(ctx: WebgpuContext): void {
  if (ctx.lost !== undefined) throw new WebgpuDeviceLostError(ctx.lost);
}

/** Destroys the device (Dawn keeps a Node process alive while one exists); the next use opens another. */
export async function releaseWebgpu(): Promise<void> {
  const c = current;
  current = undefined;
  if (c) (await c.catch(() => undefined))?.device.destroy();
}
