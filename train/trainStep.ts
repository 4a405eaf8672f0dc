import type { Axes } from '../dsl/axes.ts';
import * as p from '../dsl/index.ts';
import { HostTensor } from '../dsl/host.ts';
import type { KeyTensor } from '../dsl/random.ts';
import type { Tensor } from '../dsl/tensor.ts';
import { flatten, unflatten } from '../dsl/tree.ts';
import type { AnyObjective, Mode } from '../objectives/objective.ts';
import { type AdamWConfig, adamwUpdate } from './optim/adamw.ts';

type T = Tensor<Axes>;
const isT = (x: unknown): x is T => x instanceof p.Tensor;

/** Per-step scalar inputs of a training step (host values, so the program does not change with the step). */
export interface StepScalars {
  readonly lr: T;
  readonly stepSize: T;
  readonly invSqrtBiasCorrection2: T;
}

export interface TrainStepOptions {
  readonly adamw: AdamWConfig;
  /** Clip the global gradient norm to this value (none when absent or <= 0). */
  readonly clipNorm?: number;
}

/** Global L2 norm of a gradient tree. */
export function globalNorm(grads: unknown): Tensor<[]> {
  const leaves = flatten<T>(grads, isT).leaves;
  return p.sqrt(leaves.reduce((acc: Tensor<[]>, g) => acc.add(p.sumAll(g.square())) as Tensor<[]>, p.scalar(0)));
}

/** Scales a gradient tree so its global norm is at most maxNorm (torch's clip_grad_norm_). */
export function clipByGlobalNorm<G>(grads: G, maxNorm: number): { grads: G; norm: Tensor<[]> } {
  const norm = globalNorm(grads);
  const scale = p.minimum(p.div(maxNorm, p.add(norm, 1e-6)), 1);
  const { leaves, def } = flatten<T>(grads, isT);
  return { grads: unflatten(def, leaves.map((g) => g.mul(scale) as T)) as G, norm };
}

/** Sum of two gradient trees of the same structure (gradient accumulation). */
export function addTrees<G>(a: G, b: G): G {
  const fa = flatten<T>(a, isT);
  const fb = flatten<T>(b, isT);
  return unflatten(fa.def, fa.leaves.map((x, i) => x.add(fb.leaves[i]!) as T)) as G;
}

/**
 * The pure training step of an objective: loss and gradients of every micro-batch (gradient
 * accumulation averages them), optional clipping, AdamW, and the objective's non-trainable state
 * update. Returns { state, outputs } for compileStep.
 */
export function trainStepFunction(objective: AnyObjective, variant: string, options: TrainStepOptions, mode: Mode = 'train') {
  return (
    state: { params: unknown; extra: unknown; opt: { m: unknown; v: unknown } },
    inputs: { batches: readonly unknown[]; keys: readonly KeyTensor[]; scalars: StepScalars },
  ) => {
    let grads: unknown;
    let extra = state.extra;
    const metrics: Record<string, Tensor<[]>> = {};
    let loss: Tensor<[]> = p.scalar(0);
    const n = inputs.batches.length;
    inputs.batches.forEach((batch, i) => {
      const { value, grads: g } = p.valueAndGrad((params: unknown) => {
        const out = objective.loss(params, extra, batch, inputs.keys[i]!, mode, variant);
        return { loss: out.loss, out };
      })(state.params);
      grads = grads === undefined ? g : addTrees(grads, g);
      loss = loss.add(value.loss) as Tensor<[]>;
      for (const [k, v] of Object.entries(value.out.metrics)) metrics[k] = (metrics[k] ? metrics[k]!.add(v) : v) as Tensor<[]>;
      if (value.out.extra !== undefined) extra = value.out.extra;
    });
    if (n > 1) {
      const { leaves, def } = flatten<T>(grads, isT);
      grads = unflatten(def, leaves.map((g) => g.mul(1 / n) as T));
      loss = loss.mul(1 / n) as Tensor<[]>;
      for (const k of Object.keys(metrics)) metrics[k] = metrics[k]!.mul(1 / n) as Tensor<[]>;
    }
    let gradNorm: Tensor<[]>;
    if (options.clipNorm && options.clipNorm > 0) ({ grads, norm: gradNorm } = clipByGlobalNorm(grads, options.clipNorm));
    else gradNorm = globalNorm(grads);
    const upd = adamwUpdate(state.params, grads, state.opt, inputs.scalars, options.adamw);
    return { state: { params: upd.params, extra, opt: upd.state }, outputs: { loss, gradNorm, metrics } };
  };
}

/** The evaluation function of an objective: loss and metrics, no update. */
export function evalStepFunction(objective: AnyObjective, variant: string) {
  return (params: unknown, extra: unknown, batch: unknown, key: KeyTensor) => {
    const out = objective.loss(params, extra, batch, key, 'eval', variant);
    return { loss: out.loss, metrics: out.metrics };
  };
}

/** A scalar f32 host tensor. */
export const hostScalar = (v: number) => new HostTensor([] as [], [], 'f32', [v]);
