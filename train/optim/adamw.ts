import type { Axes } from '../../dsl/axes.ts';
import * as p from '../../dsl/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import { flatten, unflatten } from '../../dsl/tree.ts';

type T = Tensor<Axes>;

/** AdamW hyperparameters (torch.optim.AdamW semantics: decoupled weight decay). */
export interface AdamWConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Which parameters decay, by tree path (e.g. exclude biases and LayerNorm); default all. */
  readonly decays?: (path: string) => boolean;
}

/** BERT's exclusion list: no decay for biases (b, bq, ..., bias) and LayerNorm parameters (gain, bias). */
export const noDecayForBiasAndLayerNorm = (path: string): boolean => !/^(b[a-z]?|bias|gain)$/.test(path.split('.').pop() ?? '');

/** Per-step scalars, computed on the host so the compiled step does not change with the step number. */
export interface AdamWStepScalars {
  /** Learning rate of this step. */
  readonly lr: number;
  /** lr / (1 - beta1^t) */
  readonly stepSize: number;
  /** 1 / sqrt(1 - beta2^t) */
  readonly invSqrtBiasCorrection2: number;
}

export function adamwScalars(config: AdamWConfig, lr: number, step: number): AdamWStepScalars {
  const t = step + 1;
  return { lr, stepSize: lr / (1 - config.beta1 ** t), invSqrtBiasCorrection2: 1 / Math.sqrt(1 - config.beta2 ** t) };
}

/** The scalars as graph inputs: { lr, stepSize, invSqrtBiasCorrection2 } scalar HostTensors. */
export function adamwScalarInputs(s: AdamWStepScalars) {
  const scalar = (v: number) => new HostTensor([] as [], [], 'f32', [v]);
  return { lr: scalar(s.lr), stepSize: scalar(s.stepSize), invSqrtBiasCorrection2: scalar(s.invSqrtBiasCorrection2) };
}

export interface AdamWState<P> {
  readonly m: P;
  readonly v: P;
}

/** Zero moments shaped like the parameters (host). */
export function adamwInit<P>(params: P): AdamWState<P> {
  const zeros = (x: unknown) => {
    const { leaves, def } = flatten<HostTensor>(x, (y) => y instanceof HostTensor);
    return unflatten(def, leaves.map((l) => new HostTensor(l.axes, l.shape, 'f32', new Float32Array(l.data.length)))) as P;
  };
  return { m: zeros(params), v: zeros(params) };
}

/**
 * One AdamW update, as a pure function of graph values:
 *   p <- p (1 - lr wd) - stepSize m' / (sqrt(v') invSqrtBc2 + eps),  m' = b1 m + (1-b1) g,  v' = b2 v + (1-b2) g²
 * (torch.optim.AdamW). Every leaf's update is elementwise, so the compiler fuses each into one
 * kernel writing p, m and v in place.
 */
export function adamwUpdate<P>(
  params: P,
  grads: P,
  state: AdamWState<P>,
  scalars: { readonly lr: T; readonly stepSize: T; readonly invSqrtBiasCorrection2: T },
  config: AdamWConfig,
): { params: P; state: AdamWState<P> } {
  const isT = (x: unknown) => x instanceof p.Tensor;
  const fp = flatten<T>(params, isT);
  const fg = flatten<T>(grads, isT);
  const fm = flatten<T>(state.m, isT);
  const fv = flatten<T>(state.v, isT);
  const { beta1, beta2, eps, weightDecay } = config;
  const newP: T[] = [];
  const newM: T[] = [];
  const newV: T[] = [];
  fp.leaves.forEach((w, i) => {
    const g = fg.leaves[i]!;
    const m = fm.leaves[i]!.mul(beta1).add(g.mul(1 - beta1)) as T;
    const v = fv.leaves[i]!.mul(beta2).add(g.square().mul(1 - beta2)) as T;
    const decay = weightDecay > 0 && (config.decays?.(fp.paths[i]!) ?? true);
    const decayed = decay ? (w.mul(p.sub(1, scalars.lr.mul(weightDecay))) as T) : w;
    const denom = v.sqrt().mul(scalars.invSqrtBiasCorrection2).add(eps);
    newP.push(decayed.sub(m.div(denom).mul(scalars.stepSize)) as T);
    newM.push(m);
    newV.push(v);
  });
  return {
    params: unflatten(fp.def, newP) as P,
    state: { m: unflatten(fm.def, newM) as P, v: unflatten(fv.def, newV) as P },
  };
}
