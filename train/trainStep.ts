import type { Axes } from '../dsl/axes.ts';
import * as p from '../dsl/index.ts';
import { HostTensor } from '../dsl/host.ts';
import type { KeyTensor } from '../dsl/random.ts';
import type { Tensor } from '../dsl/tensor.ts';
import { flatten, unflatten } from '../dsl/tree.ts';
import type { AnyObjective, Mode, TokenBatch } from '../objectives/objective.ts';
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
  return { grads: scaleTree(grads, p.minimum(p.div(maxNorm, p.add(norm, 1e-6)), 1) as Tensor<[]>), norm };
}

/**
 * How gradient accumulation combines the micro-batches of an update (spec 6):
 *  - 'mean-of-micro-batches': the mean of their losses and gradients (HF Trainer, DeepSpeed and
 *    DDP averaging: TACO, ELECTRA, the PCFG study);
 *  - 'total-tokens': each weighted by its share of the update's non-pad tokens, i.e. fairseq's
 *    sum over micro-batches divided by the total token count (SE, ScTD). It equals one pass over
 *    the whole update when the objective's loss is a mean over its batch's non-pad tokens (SE,
 *    ScTD, mlm with normalizer 'tokens'); for other objectives it is a token-weighted mean.
 */
export type LossNormalizer = 'mean-of-micro-batches' | 'total-tokens';

/**
 * The weight of each micro-batch under 'total-tokens': its non-pad tokens over the update's
 * (host; the objectives' own normaliser is max(tokens, 1), so an all-pad micro-batch weighs 0).
 */
export function tokenShareWeights(batches: readonly TokenBatch[]): number[] {
  const tokens = batches.map((b) => b.attentionMask.reduce((s, v) => s + (v ? 1 : 0), 0));
  const total = Math.max(1, tokens.reduce((s, n) => s + n, 0));
  return tokens.map((n) => n / total);
}

/** A gradient tree times a scalar. */
export function scaleTree<G>(tree: G, s: number | Tensor<[]>): G {
  const { leaves, def } = flatten<T>(tree, isT);
  return unflatten(def, leaves.map((g) => g.mul(s) as T)) as G;
}

/** Sum of two gradient trees of the same structure (gradient accumulation). */
export function addTrees<G>(a: G, b: G): G {
  const fa = flatten<T>(a, isT);
  const fb = flatten<T>(b, isT);
  return unflatten(fa.def, fa.leaves.map((x, i) => x.add(fb.leaves[i]!) as T)) as G;
}

/**
 * Loss, gradients and metrics of an update's micro-batches (traced): their mean or, when `weights`
 * are given ('total-tokens', see LossNormalizer), their weighted sum; metrics are combined like the
 * loss. The objective's non-trainable state passes from one micro-batch to the next.
 */
export function accumulatedLossAndGrads(
  objective: AnyObjective, variant: string, mode: Mode, params: unknown, extra: unknown,
  batches: readonly unknown[], keys: readonly KeyTensor[], weights?: readonly Tensor<[]>[],
) {
  let grads: unknown;
  const metrics: Record<string, Tensor<[]>> = {};
  let loss: Tensor<[]> = p.scalar(0);
  batches.forEach((batch, i) => {
    const { value, grads: g } = p.valueAndGrad((ps: unknown) => {
      const out = objective.loss(ps, extra, batch, keys[i]!, mode, variant);
      return { loss: out.loss, out };
    })(params);
    const w = weights?.[i];
    const weighted = (x: Tensor<[]>) => (w ? (x.mul(w) as Tensor<[]>) : x);
    const gi = w ? scaleTree(g, w) : g;
    grads = grads === undefined ? gi : addTrees(grads, gi);
    loss = loss.add(weighted(value.loss)) as Tensor<[]>;
    for (const [k, v] of Object.entries(value.out.metrics)) metrics[k] = (metrics[k] ? metrics[k]!.add(weighted(v)) : weighted(v)) as Tensor<[]>;
    if (value.out.extra !== undefined) extra = value.out.extra;
  });
  const n = batches.length;
  if (n > 1 && !weights) {
    grads = scaleTree(grads, 1 / n);
    loss = loss.mul(1 / n) as Tensor<[]>;
    for (const k of Object.keys(metrics)) metrics[k] = metrics[k]!.mul(1 / n) as Tensor<[]>;
  }
  return { loss, grads, metrics, extra };
}

/**
 * The pure training step of an objective: the accumulated loss and gradients of its micro-batches,
 * optional clipping, AdamW, and the objective's non-trainable state update. Returns
 * { state, outputs } for compileStep.
 */
export function trainStepFunction(objective: AnyObjective, variant: string, options: TrainStepOptions, mode: Mode = 'train') {
  return (
    state: { params: unknown; extra: unknown; opt: { m: unknown; v: unknown } },
    inputs: { batches: readonly unknown[]; keys: readonly KeyTensor[]; scalars: StepScalars; weights?: readonly Tensor<[]>[] },
  ) => {
    const acc = accumulatedLossAndGrads(objective, variant, mode, state.params, state.extra, inputs.batches, inputs.keys, inputs.weights);
    const { loss, metrics, extra } = acc;
    let grads = acc.grads;
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
