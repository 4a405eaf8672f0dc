import type { Axes } from '../../../dsl/axes.ts';
import { HostTensor } from '../../../dsl/host.ts';
import type { Concrete } from '../../../dsl/trace.ts';
import { flatten, sameStructure, unflatten } from '../../../dsl/tree.ts';
import { explainProgram } from '../../explain.ts';
import { countFlops } from '../../flops.ts';
import { CompileError } from '../../fusion/errors.ts';
import type { CompiledStep, StepTrace } from '../../step.ts';
import { type ArenaLayout, wordPlace } from './arenas.ts';
import { wordPlan } from './build.ts';
import { WebgpuAsyncError } from './errors.ts';
import { SiteTable, programShaders, wordsShader } from './programShaders.ts';
import { WebgpuExecutable } from './webgpuExecutable.ts';

const isHost = (x: unknown): x is HostTensor => x instanceof HostTensor;

/**
 * compileStep on the webgpu backend: parameters, optimizer state and the other state live in the
 * device's arena for the program's life. A step is one submission — its inputs (the batch and
 * scalars) written into the arena, every kernel, the state copies the donations could not avoid —
 * and only the outputs (loss, metrics) are read back. runAsync may be called again before the
 * previous step's outputs arrive: steps run in call order. State written with writeState goes to
 * the device with the next submission; readStateAsync reads it back.
 */
export function compileWebgpuStep<S, I, O>(st: StepTrace, initialState: S, t0: number, options: { readonly poisonFreedBuffers?: boolean }): CompiledStep<S, I, O> {
  const { traced, stateFlat, outOtherPositions, outputsDef, fused, aliases, copies } = st;
  const nState = stateFlat.leaves.length;
  const plan = wordPlan(fused, aliases);
  const sites = new SiteTable();
  const shadersFor = (software: boolean, layout: ArenaLayout) => [
    ...programShaders(fused, plan, layout, sites, { software, poison: options.poisonFreedBuffers ?? false }),
    ...copies.map(([from, to]) => wordsShader(`state copy b${from} -> b${to}`, wordPlace(plan, layout, to), fused.buffers[from]!.size, { from: wordPlace(plan, layout, from) })),
  ];
  const exe = new WebgpuExecutable(fused, plan, shadersFor, sites);
  const stateBuffers = fused.inputBuffers.slice(0, nState);
  const inputBuffers = fused.inputBuffers.slice(nState);
  const outBuffers = outOtherPositions.map((o) => fused.outputBuffers[o]!);
  /** State waiting for the next submission. */
  let pending: (readonly [number, ArrayLike<number>])[] = [];

  const writeState = (state: S) => {
    const flat = flatten<HostTensor>(state, isHost);
    if (!sameStructure(flat.def, stateFlat.def)) throw new CompileError('writeState: the state has a different structure');
    pending = flat.leaves.map((leaf, j) => [stateBuffers[j]!, leaf.data] as const);
  };
  writeState(initialState);
  const takePending = () => {
    const w = pending;
    pending = [];
    return w;
  };

  return {
    run: () => {
      throw new WebgpuAsyncError('a training step compiled for the webgpu backend');
    },
    async runAsync(inputs: I): Promise<Concrete<O>> {
      const flat = flatten<HostTensor>(inputs, isHost);
      if (flat.leaves.length !== inputBuffers.length) throw new CompileError(`run: expected ${inputBuffers.length} input tensors, got ${flat.leaves.length}`);
      const writes = [...takePending(), ...flat.leaves.map((leaf, j) => [inputBuffers[j]!, leaf.data] as const)];
      const outs = await exe.submit(writes, outBuffers);
      return unflatten(outputsDef, outs.map((h, i) => new HostTensor(traced.outputAxes[outOtherPositions[i]!]! as Axes, h.shape, h.dtype, h.data))) as Concrete<O>;
    },
    readState: () => {
      throw new WebgpuAsyncError('reading the state of a webgpu training step (readStateAsync)');
    },
    async readStateAsync(): Promise<S> {
      const hs = await exe.submit(takePending(), stateBuffers, false);
      return unflatten(stateFlat.def, hs.map((h, j) => new HostTensor(stateFlat.leaves[j]!.axes, h.shape, h.dtype, h.data))) as S;
    },
    writeState,
    explain: () => `webgpu: ${exe.shaders.length} compute shaders, one submission per step\n${explainProgram(fused, plan, exe.sources())}`,
    stats: {
      kernels: fused.kernels.length, peakBytes: plan.peakBytes, unplannedBytes: plan.unplannedBytes,
      compileMs: performance.now() - t0, donated: aliases.size, copied: copies.length,
    },
    flops: countFlops(traced.outputs),
    // per-kernel GPU timing needs timestamp queries, which this backend does not take yet
    setProfiling: () => undefined,
    gemmMs: () => 0,
    profile: () => [],
  };
}
