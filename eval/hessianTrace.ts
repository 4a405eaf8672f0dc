import * as p from '../dsl/index.ts';
import { HostTensor } from '../dsl/host.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { Symbolic } from '../dsl/trace.ts';
import { isHostTensor, isTensor } from '../dsl/trace.ts';
import { flatten, withLeaves } from '../dsl/tree.ts';
import { type BackendName, compile } from '../compiler/compile.ts';
import { type Key, foldIn, splitKey } from '../prng/key.ts';
import { normal, randint } from '../prng/samplers.ts';
import type { MlmModelParams } from '../models/params.ts';
import { mlmModelLogits } from '../objectives/mlm.ts';
import { mlmLossAndMetrics, mlmPositions } from '../objectives/mlmHeadLoss.ts';
import { EvalError } from './errors.ts';
import { type HostMlmView, viewParams } from './mlmView.ts';

/**
 * vᵀ H v for the loss `loss(params, data)` at `params`, where H is the Hessian with respect to
 * the leaves of `params` that `included` selects (the others are held fixed), by double backprop:
 * Hv = ∇θ <∇θ L, v> (spec 5b6). `v` has the included leaves' structure (a flat list). Generic over
 * any parameter tree, so its leaves are tensors of any axes.
 */
export function quadraticForm<P, D>(loss: (params: P, data: D) => Tensor<[]>, params: P, data: D, v: readonly Tensor[], included: readonly boolean[]): Tensor<[]> {
  const { leaves } = flatten<Tensor>(params, isTensor);
  const theta = leaves.filter((_, i) => included[i]);
  const rebuild = (th: readonly Tensor[]): P => {
    let j = 0;
    return withLeaves(params, isTensor, leaves.map((l, i) => (included[i] ? th[j++]! : l)));
  };
  const inner = (th: Tensor[]): Tensor<[]> => p.grad((t: Tensor[]) => loss(rebuild(t), data))(th).reduce((acc: Tensor<[]>, g, i) => acc.add(p.sumAll(g.mul(v[i]!))), p.scalar(0));
  const hv = p.grad(inner)(theta);
  return hv.reduce((acc: Tensor<[]>, h, i) => acc.add(p.sumAll(h.mul(v[i]!))), p.scalar(0));
}

export interface HutchinsonOptions {
  /** Number of (minibatch, v) samples. */
  readonly samples: number;
  /** Everything random (v; the caller's data sampling gets foldIn(key, s) too) comes from here. */
  readonly key: Key;
  /** Leaves (by pytree path) left out of θ; default none. */
  readonly exclude?: (path: string) => boolean;
  /** Record the running mean every this many samples (default 100, as the study's script prints it). */
  readonly reportEvery?: number;
  readonly backend?: BackendName;
}

export interface HutchinsonResult {
  /** Mean of vᵀHv over the samples: an unbiased estimate of tr(H). */
  readonly trace: number;
  /** Standard error of the mean (sample standard deviation / sqrt(samples)). */
  readonly stdErr: number;
  readonly samples: number;
  /** Each sample's vᵀHv. */
  readonly values: Float64Array;
  /** Running means at every `reportEvery` samples (and at the end). */
  readonly runningMeans: readonly { readonly samples: number; readonly mean: number }[];
  /** Paths of the leaves in θ, and their total size. */
  readonly parameters: readonly string[];
  readonly dimension: number;
}

/**
 * Hutchinson's estimator of the trace of the Hessian of `loss` (spec 5b6): tr(H) ≈ mean over
 * samples s of vₛᵀ H_s vₛ with vₛ ~ N(0, I), where H_s is the Hessian of the loss on the data
 * `dataAt(s, key)` (e.g. a minibatch drawn with replacement). One compiled program computes
 * vᵀHv by double backprop; `loss` must be deterministic (eval mode).
 */
export function hutchinsonTrace<P, D>(
  loss: (params: Symbolic<P>, data: Symbolic<D>) => Tensor<[]>,
  params: P,
  dataAt: (sample: number, key: Key) => D,
  options: HutchinsonOptions,
): HutchinsonResult {
  const S = options.samples;
  if (!Number.isInteger(S) || S < 1) throw new EvalError(`hutchinsonTrace: samples must be a positive integer, got ${S}`, { samples: S });
  const flat = flatten<HostTensor>(params, isHostTensor);
  const included = flat.paths.map((path, i) => flat.leaves[i]!.dtype === 'f32' && !(options.exclude?.(path) ?? false));
  const thetaLeaves = flat.leaves.filter((_, i) => included[i]);
  if (thetaLeaves.length === 0) throw new EvalError('hutchinsonTrace: no parameters left to differentiate', {});
  const vFor = (k: Key): HostTensor[] => {
    const keys = splitKey(k, thetaLeaves.length);
    return thetaLeaves.map((l, i) => new HostTensor(l.axes, l.shape, 'f32', Float32Array.from(normal(keys[i]!, l.data.length))));
  };
  const sampleKeys = (s: number) => splitKey(foldIn(options.key, s), 2) as [Key, Key];
  const first = sampleKeys(0);
  const example = [params, dataAt(0, first[0]), vFor(first[1])] as const;
  const program = compile((pr: Symbolic<P>, data: Symbolic<D>, v: Tensor[]) => quadraticForm(loss, pr, data, v, included), example, options.backend ? { backend: options.backend } : {});
  const values = new Float64Array(S);
  const every = options.reportEvery ?? 100;
  const runningMeans: { samples: number; mean: number }[] = [];
  let sum = 0;
  for (let s = 0; s < S; s++) {
    const [kData, kV] = sampleKeys(s);
    const data = s === 0 ? example[1] : dataAt(s, kData);
    const v = s === 0 ? example[2] : vFor(kV);
    values[s] = program(params, data, v).item();
    sum += values[s]!;
    if ((s + 1) % every === 0 || s === S - 1) runningMeans.push({ samples: s + 1, mean: sum / (s + 1) });
  }
  const mean = sum / S;
  let ss = 0;
  for (const x of values) ss += (x - mean) ** 2;
  return {
    trace: mean,
    stdErr: S > 1 ? Math.sqrt(ss / (S - 1) / S) : NaN,
    samples: S,
    values,
    runningMeans,
    parameters: flat.paths.filter((_, i) => included[i]),
    dimension: thetaLeaves.reduce((n, l) => n + l.data.length, 0),
  };
}

/** Host rows ['batch', 'seq'] (readonly: what `new HostTensor(['batch', 'seq'], ...)` infers). */
type HostGrid = HostTensor<readonly ['batch', 'seq']>;

/** A pool of MLM rows with fixed (precomputed) masks, e.g. mlmBatch(tokens, maskTokens(...)) of the pretraining data. */
export interface MlmPool {
  /** i32 */
  readonly inputIds: HostGrid;
  /** bool */
  readonly attentionMask: HostGrid;
  /** i32, -100 where nothing is predicted */
  readonly labels: HostGrid;
}

/** Rows `rows` of a pool, as a batch. */
export function poolRows(pool: MlmPool, rows: ArrayLike<number>): MlmPool {
  const [, L] = pool.inputIds.shape as [number, number];
  const pick = (t: HostGrid): HostGrid => {
    const src = t.data;
    const out = new (src.constructor as new (n: number) => typeof src)(rows.length * L);
    for (let r = 0; r < rows.length; r++) out.set(src.subarray(rows[r]! * L, (rows[r]! + 1) * L), r * L);
    return new HostTensor(t.axes, [rows.length, L], t.dtype, out);
  };
  return { inputIds: pick(pool.inputIds), attentionMask: pick(pool.attentionMask), labels: pick(pool.labels) };
}

export interface MlmHessianOptions extends Omit<HutchinsonOptions, 'exclude'> {
  /** Rows per minibatch, drawn uniformly with replacement from the pool. */
  readonly batchSize: number;
  /**
   * Leaves left out of θ, by path in { encoder, mlmHead }. Default: the MLM decoder bias
   * (`mlmHead.bias`, HF `cls.predictions.bias`), as the study's script; a masked LM has no
   * pooler, the other exclusion of the script.
   */
  readonly exclude?: (path: string) => boolean;
}

export const excludeMlmDecoderBias = (path: string): boolean => path === 'mlmHead.bias';

/**
 * Trace of the Hessian of a masked LM's loss (spec 5b6): each sample draws `batchSize` rows with
 * replacement from the pool (fixed masks), L = mean MLM cross-entropy over the masked tokens in
 * eval mode (no dropout), v ~ N(0, I) over all parameters but the excluded ones.
 */
export function mlmHessianTrace(view: HostMlmView, pool: MlmPool, options: MlmHessianOptions): HutchinsonResult {
  const rows = pool.inputIds.shape[0]!;
  if (rows < 1) throw new EvalError('mlmHessianTrace: the pool is empty', {});
  const { config } = view;
  const loss = (params: MlmModelParams, batch: Symbolic<MlmPool>): Tensor<[]> => {
    const { logits } = mlmModelLogits(params, batch, config);
    return mlmLossAndMetrics(mlmPositions(logits, batch.labels), batch.labels, 'masked').loss;
  };
  return hutchinsonTrace(loss, viewParams(view), (_s, k) => poolRows(pool, randint(k, 0, rows, options.batchSize)), {
    ...options,
    exclude: options.exclude ?? excludeMlmDecoderBias,
  });
}
