/**
 * Programs whose memory is split over several arenas (the arena cap lowered for the test) against
 * the same programs in one arena, bit for bit, and against the interpreter.
 */
import { compileWorkloadStep } from '../../../../bench/bertMlmStep.ts';
import type { BertWorkloadConfig } from '../../../../bench/workload/bertWorkload.ts';
import { limitArenaBytesForTests, splitArenas } from '../../../../compiler/backends/webgpu/arenas.ts';
import { wordPlan } from '../../../../compiler/backends/webgpu/build.ts';
import { WebgpuLimitError } from '../../../../compiler/backends/webgpu/errors.ts';
import { fuseGraph } from '../../../../compiler/fusion/fuse.ts';
import type { MemoryPlan } from '../../../../compiler/schedule/memoryPlan.ts';
import { traceStep } from '../../../../compiler/step.ts';
import type { HostTensor } from '../../../../dsl/host.ts';
import { trace } from '../../../../dsl/trace.ts';
import { flatten } from '../../../../dsl/tree.ts';
import { compareCase, randomCase, randomPrograms, reference } from '../gpujs/cases.ts';
import { runWebgpu } from './cases.ts';

const MINI: BertWorkloadConfig = { V: 50, T: 8, B: 4, d: 16, L: 1, heads: 2 };
const leaves = (tree: unknown): HostTensor[] => flatten<HostTensor>(tree, (x) => (x as { data?: unknown }).data !== undefined && (x as { shape?: unknown }).shape !== undefined).leaves;
const bits = (h: HostTensor) => Buffer.from(h.data.buffer, h.data.byteOffset, h.data.byteLength);

/** The smallest power-of-two cap (from the largest buffer) the plan splits under, and its arena count. */
function tightCap(plan: MemoryPlan): { cap: number; arenas: number } {
  for (let cap = 2 ** Math.ceil(Math.log2(Math.max(...plan.sizes))); ; cap *= 2) {
    try {
      return { cap, arenas: splitArenas(plan, cap).bytes.length };
    } catch (e) {
      if (!(e instanceof WebgpuLimitError)) throw e;
    }
  }
}

function sameBits(a: readonly HostTensor[], b: readonly HostTensor[], what: string): string[] {
  return a.flatMap((x, i) => (bits(x).equals(bits(b[i]!)) ? [] : [`${what}: output ${i} differs between one arena and several`]));
}

export async function arenaChecks(): Promise<{ failures: string[]; checked: number; split: number }> {
  const failures: string[] = [];
  let checked = 0;
  let split = 0;
  const programs = [...randomPrograms(8, 31337, 10).map((p) => ['forward', p] as const), ...randomPrograms(4, 2718, 8).map((p) => ['grad', p] as const)];
  for (const [j, [kind, prog]] of programs.entries()) {
    const c = randomCase(prog as never, kind);
    const traced = trace(c.fn, c.args);
    const { cap, arenas } = tightCap(wordPlan(fuseGraph(traced.inputs, traced.outputs)));
    if (arenas > 1) split++;
    try {
      const one = await runWebgpu(c);
      limitArenaBytesForTests(cap);
      const several = await runWebgpu(c);
      failures.push(...sameBits(several, one, `${kind} program ${j} (${arenas} arenas)`), ...compareCase(several, reference(c), `${kind} program ${j} (${arenas} arenas)`, kind));
    } catch (e) {
      failures.push(`${kind} program ${j}: ${(e as Error).name}: ${(e as Error).message.slice(0, 1000)}`);
    } finally {
      limitArenaBytesForTests(undefined);
    }
    checked++;
  }
  if (split < programs.length / 2) failures.push(`only ${split} of ${programs.length} programs were split over several arenas`);

  // a training step whose state spans several arenas: losses and state equal the one-arena run
  const one = compileWorkloadStep(MINI, 'webgpu');
  const st = traceStep(one.stepFn as never, one.state as never, one.inputsFor(0) as never);
  const { cap, arenas } = tightCap(wordPlan(st.fused, st.aliases));
  if (arenas < 3) failures.push(`the training step splits into only ${arenas} arenas`);
  const oneLosses = await Promise.all([0, 1, 2].map(async (i) => leaves(await one.step.runAsync(one.inputsFor(i) as never))[0]!));
  const oneState = leaves(await one.step.readStateAsync());
  limitArenaBytesForTests(cap);
  try {
    const several = compileWorkloadStep(MINI, 'webgpu');
    const losses = await Promise.all([0, 1, 2].map(async (i) => leaves(await several.step.runAsync(several.inputsFor(i) as never))[0]!));
    failures.push(...sameBits(losses, oneLosses, `training step losses (${arenas} arenas)`));
    failures.push(...sameBits(leaves(await several.step.readStateAsync()), oneState, `training step state (${arenas} arenas)`));
  } finally {
    limitArenaBytesForTests(undefined);
  }
  checked++;
  return { failures, checked, split };
}
