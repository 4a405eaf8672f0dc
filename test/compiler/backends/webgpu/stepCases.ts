/**
 * compileStep on the webgpu backend against the CPU backend: a small BERT MLM training step
 * (the bench workload's model, forward, backward and AdamW) with its state resident on the device.
 */
import { compileWorkloadStep } from '../../../../bench/bertMlmStep.ts';
import { BERT_WORKLOAD_CONFIGS, type BertWorkloadConfig } from '../../../../bench/workload/bertWorkload.ts';
import type { HostTensor } from '../../../../dsl/host.ts';
import { flatten } from '../../../../dsl/tree.ts';

const MINI: BertWorkloadConfig = { V: 50, T: 8, B: 4, d: 16, L: 1, heads: 2 };
const STEPS = 4;
const leaves = (tree: unknown): HostTensor[] => flatten<HostTensor>(tree, (x) => (x as { data?: unknown }).data !== undefined && (x as { shape?: unknown }).shape !== undefined).leaves;

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

export async function stepChecks(): Promise<{ failures: string[]; checked: number; losses: number[]; cpuLosses: number[]; donated: number }> {
  const failures: string[] = [];
  const cpu = compileWorkloadStep(MINI, 'cpu');
  const gpu = compileWorkloadStep(MINI, 'webgpu');
  const cpuLosses = Array.from({ length: STEPS }, (_, i) => (cpu.step.run(cpu.inputsFor(i) as never) as { loss: HostTensor }).loss.item());
  // every step submitted before any result is awaited: they run in call order on the device
  const pending = Array.from({ length: STEPS }, (_, i) => gpu.step.runAsync(gpu.inputsFor(i) as never) as Promise<{ loss: HostTensor }>);
  const losses = (await Promise.all(pending)).map((o) => o.loss.item());
  losses.forEach((l, i) => {
    if (!close(l, cpuLosses[i]!, 2e-5)) failures.push(`step ${i}: webgpu loss ${l}, cpu ${cpuLosses[i]}`);
  });
  const cpuState = leaves(cpu.step.readState());
  const gpuState = leaves(await gpu.step.readStateAsync());
  gpuState.forEach((g, j) => {
    const w = cpuState[j]!;
    const bad = Array.from(g.data).findIndex((v, e) => !(Math.abs(v - w.data[e]!) <= 1e-5 + 1e-3 * Math.abs(w.data[e]!)));
    if (bad >= 0) failures.push(`state leaf ${j} element ${bad}: webgpu ${g.data[bad]}, cpu ${w.data[bad]}`);
  });
  // the CPU's state written into the device comes back bit for bit, and the next steps agree
  gpu.step.writeState(cpu.step.readState() as never);
  const back = leaves(await gpu.step.readStateAsync());
  back.forEach((g, j) => {
    if (!Buffer.from(g.data.buffer, g.data.byteOffset, g.data.byteLength).equals(Buffer.from(cpuState[j]!.data.buffer, cpuState[j]!.data.byteOffset, cpuState[j]!.data.byteLength))) {
      failures.push(`writeState/readStateAsync changed state leaf ${j}`);
    }
  });
  const nextCpu = (cpu.step.run(cpu.inputsFor(STEPS) as never) as { loss: HostTensor }).loss.item();
  const nextGpu = ((await gpu.step.runAsync(gpu.inputsFor(STEPS) as never)) as { loss: HostTensor }).loss.item();
  if (!close(nextGpu, nextCpu, 2e-5)) failures.push(`step after writeState: webgpu loss ${nextGpu}, cpu ${nextCpu}`);
  return { failures, checked: STEPS + 1, losses, cpuLosses, donated: gpu.step.stats.donated };
}

/** The bench workload's tiny configuration for `steps` steps on the webgpu backend: its losses. */
export async function workloadLosses(steps = 21): Promise<{ failures: string[]; checked: number; losses: number[] }> {
  const { step, inputsFor } = compileWorkloadStep(BERT_WORKLOAD_CONFIGS.tiny, 'webgpu');
  const pending = Array.from({ length: steps }, (_, i) => step.runAsync(inputsFor(i) as never) as Promise<{ loss: HostTensor }>);
  return { failures: [], checked: steps, losses: (await Promise.all(pending)).map((o) => o.loss.item()) };
}
