import { HostTensor } from '../dsl/host.ts';
import { flatten } from '../dsl/tree.ts';
import { keyInput } from '../dsl/random.ts';
import { compileStep, type CompiledStep } from '../compiler/step.ts';
import { compile } from '../compiler/compile.ts';
import { countFlops } from '../compiler/flops.ts';
import { trace } from '../dsl/trace.ts';
import { type Key, foldIn, key as rootKey, splitKey } from '../prng/key.ts';
import type { AnyObjective, TokenBatch } from '../objectives/objective.ts';
import { type AdamWConfig, adamwInit, adamwScalarInputs, adamwScalars } from './optim/adamw.ts';
import { type Schedule, learningRate } from './schedule.ts';
import { type LossNormalizer, evalStepFunction, hostScalar, tokenShareWeights, trainStepFunction } from './trainStep.ts';

export interface TrainState {
  readonly params: unknown;
  readonly extra: unknown;
  readonly opt: { readonly m: unknown; readonly v: unknown };
}

export interface StepLog {
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly ms: number;
  /** Floating-point operations of this update (its compiled program's count). */
  readonly flops: number;
}

export interface TrainerOptions {
  readonly objective: AnyObjective;
  readonly schedule: Schedule;
  readonly adamw: AdamWConfig;
  readonly clipNorm?: number;
  /** Micro-batches per update (gradient accumulation). */
  readonly accumulate?: number;
  /** How accumulation combines micro-batches (default 'mean-of-micro-batches'). */
  readonly lossNormalizer?: LossNormalizer;
  readonly seed: number;
  /** Where the step runs (default 'cpu'); 'webgpu' keeps the state on the GPU and runs through stepAsync. */
  readonly backend?: 'cpu' | 'webgpu';
}

/** The key of the training data order (shuffledBatches), the same in `pretext train` and the browser page. */
export const trainingDataKey = (seed: number): Key => foldIn(rootKey(seed), 1);

/** Keys of step `step`: one (prepare, loss) pair per micro-batch. Everything random in a step comes from here. */
export function stepKeys(seed: number, step: number, micro: number): { prepare: Key; loss: Key } {
  const [prepare, loss] = splitKey(foldIn(foldIn(rootKey(seed), step), micro), 2) as [Key, Key];
  return { prepare, loss };
}

/**
 * Runs training steps of an objective on resident state. Each compiled variant of the step (most
 * objectives have one) is a program; when the variant changes, the state moves to its program.
 */
export class StepRunner {
  private readonly programs = new Map<string, CompiledStep<TrainState, unknown, unknown>>();
  /** FLOPs of variants counted by tracing only (not compiled yet). */
  private readonly tracedFlops = new Map<string, number>();
  private active: string | undefined;
  private hostState: TrainState;

  constructor(
    readonly options: TrainerOptions,
    initial: TrainState,
  ) {
    this.hostState = initial;
  }

  /** A fresh state: parameters and extra from the objective's init, zero optimizer moments. */
  static initialState(objective: AnyObjective, seed: number): TrainState {
    const { params, extra } = objective.init(foldIn(rootKey(seed), 0xffffffff));
    return { params, extra, opt: adamwInit(params) };
  }

  private inputs(batches: readonly TokenBatch[], step: number) {
    const { objective, schedule, adamw, seed } = this.options;
    const prepared = batches.map((b, i) => objective.prepare(b, stepKeys(seed, step, i).prepare, step, 'train'));
    const keys = batches.map((_, i) => keyInput(stepKeys(seed, step, i).loss));
    // one micro-batch weighs 1 under either normaliser: no weights, the same program as without accumulation
    const weights = this.options.lossNormalizer === 'total-tokens' && batches.length > 1 ? { weights: tokenShareWeights(batches).map(hostScalar) } : {};
    return { batches: prepared, keys, scalars: adamwScalarInputs(adamwScalars(adamw, learningRate(schedule, step), step)), ...weights };
  }

  private stepFunction(variant: string) {
    return trainStepFunction(this.options.objective, variant, { adamw: this.options.adamw, ...(this.options.clipNorm !== undefined ? { clipNorm: this.options.clipNorm } : {}) });
  }

  /** The variant's program, compiled on first use (the host state gives the state's shapes). */
  private compiled(variant: string, example: unknown): CompiledStep<TrainState, unknown, unknown> {
    let prog = this.programs.get(variant);
    if (!prog) {
      const fn = this.stepFunction(variant);
      const backend = this.options.backend ?? 'cpu';
      prog = compileStep(fn as never, this.hostState as never, example as never, { backend }) as unknown as CompiledStep<TrainState, unknown, unknown>;
      this.programs.set(variant, prog);
    }
    return prog;
  }

  private activate(variant: string, prog: CompiledStep<TrainState, unknown, unknown>): void {
    prog.writeState(this.hostState);
    this.active = variant;
  }

  private program(variant: string, example: unknown): CompiledStep<TrainState, unknown, unknown> {
    const prog = this.compiled(variant, example);
    if (this.active !== variant) {
      if (this.active !== undefined) this.hostState = this.programs.get(this.active)!.readState();
      this.activate(variant, prog);
    }
    return prog;
  }

  private async programAsync(variant: string, example: unknown): Promise<CompiledStep<TrainState, unknown, unknown>> {
    if (this.active !== variant && this.active !== undefined) this.hostState = await this.programs.get(this.active)!.readStateAsync();
    const prog = this.compiled(variant, example);
    if (this.active !== variant) this.activate(variant, prog);
    return prog;
  }

  private log(step: number, out: unknown, t0: number, program: CompiledStep<TrainState, unknown, unknown>): StepLog {
    const o = out as { loss: HostTensor; gradNorm: HostTensor; metrics: Record<string, HostTensor> };
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(o.metrics)) metrics[k] = v.item();
    return { step, loss: o.loss.item(), lr: learningRate(this.options.schedule, step), gradNorm: o.gradNorm.item(), metrics, ms: performance.now() - t0, flops: program.flops.total };
  }

  /** One update on `batches` (one per micro-batch); returns the step's log line (cpu backend). */
  step(step: number, batches: readonly TokenBatch[]): StepLog {
    const t0 = performance.now();
    const variant = this.options.objective.variant?.(step, 'train') ?? 'default';
    const inputs = this.inputs(batches, step);
    const program = this.program(variant, inputs);
    return this.log(step, program.run(inputs), t0, program);
  }

  /** The same update on any backend (the webgpu backend reads its outputs back asynchronously). */
  async stepAsync(step: number, batches: readonly TokenBatch[]): Promise<StepLog> {
    const t0 = performance.now();
    const variant = this.options.objective.variant?.(step, 'train') ?? 'default';
    const inputs = this.inputs(batches, step);
    const program = await this.programAsync(variant, inputs);
    return this.log(step, await program.runAsync(inputs), t0, program);
  }

  /**
   * FLOPs of update `step` on batches shaped like `batches` (its variant's program; a variant not
   * compiled yet is traced and counted, not compiled): for compute budgets and resumed totals.
   */
  stepFlops(step: number, batches: readonly TokenBatch[]): number {
    const variant = this.options.objective.variant?.(step, 'train') ?? 'default';
    const compiled = this.programs.get(variant);
    if (compiled) return compiled.flops.total;
    let flops = this.tracedFlops.get(variant);
    if (flops === undefined) {
      // only the state's shapes matter here, and the host copy has them
      flops = countFlops(trace(this.stepFunction(variant) as never, [this.hostState, this.inputs(batches, step)]).outputs).total;
      this.tracedFlops.set(variant, flops);
    }
    return flops;
  }

  /** The current state on the host. */
  state(): TrainState {
    return this.active !== undefined ? this.programs.get(this.active)!.readState() : this.hostState;
  }

  /** The current state on the host, read back from any backend. */
  async stateAsync(): Promise<TrainState> {
    return this.active !== undefined ? this.programs.get(this.active)!.readStateAsync() : this.hostState;
  }

  setState(state: TrainState): void {
    this.hostState = state;
    if (this.active !== undefined) this.programs.get(this.active)!.writeState(state);
  }
}

type EvalProgram = (...args: unknown[]) => { loss: HostTensor; metrics: Record<string, HostTensor> };
/** Compiled eval programs per objective, by variant and input shapes (tracing a model is not free). */
const evalPrograms = new WeakMap<AnyObjective, Map<string, EvalProgram>>();

function evalProgram(objective: AnyObjective, variant: string, args: readonly unknown[]): EvalProgram {
  const shapes = flatten<HostTensor>(args, (x) => x instanceof HostTensor).leaves.map((l) => `${l.dtype}[${l.shape}]`).join(' ');
  let byKey = evalPrograms.get(objective);
  if (!byKey) evalPrograms.set(objective, (byKey = new Map()));
  const key = `${variant}|${shapes}`;
  let program = byKey.get(key);
  if (!program) {
    const fn = evalStepFunction(objective, variant) as (...a: unknown[]) => unknown;
    program = compile(fn, args) as unknown as EvalProgram;
    byKey.set(key, program);
  }
  return program;
}

/**
 * Mean loss and metrics of an objective in eval mode over `batches` (masking from `seed`, so the
 * same seed gives the same validation masks at every evaluation).
 */
export function evaluateObjective(objective: AnyObjective, state: Pick<TrainState, 'params' | 'extra'>, batches: readonly TokenBatch[], seed: number) {
  let loss = 0;
  const metrics: Record<string, number> = {};
  batches.forEach((tokens, i) => {
    const variant = objective.variant?.(0, 'eval') ?? 'default';
    const batch = objective.prepare(tokens, foldIn(rootKey(seed), i), 0, 'eval');
    const k = keyInput(foldIn(rootKey(seed + 1), i));
    const out = evalProgram(objective, variant, [state.params, state.extra, batch, k])(state.params, state.extra, batch, k);
    loss += out.loss.item();
    for (const [name, v] of Object.entries(out.metrics)) metrics[name] = (metrics[name] ?? 0) + v.item();
  });
  for (const name of Object.keys(metrics)) metrics[name] = metrics[name]! / batches.length;
  return { loss: loss / batches.length, metrics };
}

export type { AdamWConfig };
