import type { Axes, DotAxes, NamesOf, Without } from '../axes.ts';
import { SizeMismatchError } from '../errors.ts';
import { add, mul, where } from '../ops/elementwise.ts';
import { dot } from '../ops/dot.ts';
import { merge, rename, split } from '../ops/shape.ts';
import type { KeyTensor } from '../random.ts';
import type { Tensor } from '../tensor.ts';
import { dropout } from './dropout.ts';
import { softmax } from './softmax.ts';

/** Weights of one multi-head attention block (dense weights are [in, out]: y = x W + b). */
export interface AttentionParams {
  readonly wq: Tensor<['hidden', 'qkv']>;
  readonly bq: Tensor<['qkv']>;
  readonly wk: Tensor<['hidden', 'qkv']>;
  readonly bk: Tensor<['qkv']>;
  readonly wv: Tensor<['hidden', 'qkv']>;
  readonly bv: Tensor<['qkv']>;
  readonly wo: Tensor<['qkv', 'hidden']>;
  readonly bo: Tensor<['hidden']>;
}

export interface AttentionOptions<M extends Axes = Axes> {
  readonly heads: number;
  /** Key padding mask over the key positions (true = attend), e.g. Tensor<['batch', 'seq']>. */
  readonly keyMask?: Tensor<M>;
  /** Attention-probability dropout (train mode): a key and a rate. */
  readonly dropout?: { readonly key: KeyTensor; readonly rate: number };
}

/** Attention scores of q[..., 'q', 'hd'] against k[..., 'k', 'hd']: [..., 'q', 'k']. */
type Scores<Q extends Axes, K extends Axes> = DotAxes<Q, K, 'hd'>;

/**
 * Scaled dot-product attention over named axes: q[..., 'q', 'hd'], k/v[..., 'k', 'hd'] ->
 * [..., 'q', 'hd'] (the result axes are dot's: batch axes, then 'q', then v's own). keyMask (bool
 * over [..., 'k']) removes padded keys (logit -1e9, so a fully masked row stays finite).
 */
export function scaledDotProductAttention<Q extends Axes, K extends Axes, V extends Axes>(
  q: Tensor<Q>,
  k: Tensor<K>,
  v: Tensor<V>,
  options: { keyMask?: Tensor<NamesOf<Scores<Q, K>>>; dropout?: { key: KeyTensor; rate: number } } = {},
): Tensor<DotAxes<Scores<Q, K>, V, 'k'>> {
  // the axis names are checked at trace time here; callers get the typed result
  const hd = q.dim('hd');
  let scores: Tensor<Axes> = mul(dot(q.untyped(), k.untyped(), 'hd'), 1 / Math.sqrt(hd));
  if (options.keyMask) scores = where(options.keyMask, scores, -1e9);
  let probs = softmax(scores, 'k');
  if (options.dropout && options.dropout.rate > 0) probs = dropout(options.dropout.key, probs, options.dropout.rate);
  return dot(probs, v.untyped(), 'k') as Tensor<Axes> as Tensor<DotAxes<Scores<Q, K>, V, 'k'>>;
}

/**
 * Multi-head self- (or cross-) attention: x[..., 'seq', 'hidden'] attends to context
 * [..., 'seq', 'hidden'] (defaults to x; the same axes, 'seq' possibly of another length).
 * keyMask is over the context's positions (its axes but 'hidden'). Returns x's axes.
 */
export function multiHeadAttention<A extends Axes>(
  x: Tensor<A>,
  p: AttentionParams,
  options: AttentionOptions<NamesOf<Without<A, 'hidden'>>>,
  context: Tensor<A> = x,
): Tensor<A> {
  const { heads } = options;
  const width = p.wq.dim('qkv');
  if (width % heads !== 0) throw new SizeMismatchError('multiHeadAttention', `width ${width} is not divisible by ${heads} heads`);
  const hd = width / heads;
  const project = (t: Tensor<Axes>, w: Tensor<Axes>, b: Tensor<Axes>, seqName: string) =>
    rename(split(add(dot(t, w, 'hidden'), b), 'qkv', ['head', 'hd'], [heads, hd]), { seq: seqName });
  // generic leading axes: the layout is checked at trace time, x's axes come back
  const q = project(x.untyped(), p.wq, p.bq, 'q');
  const k = project(context.untyped(), p.wk, p.bk, 'k');
  const v = project(context.untyped(), p.wv, p.bv, 'k');
  const keyMask = options.keyMask ? rename(options.keyMask.untyped(), { seq: 'k' }) : undefined;
  const ctx = scaledDotProductAttention(q, k, v, { ...(keyMask ? { keyMask } : {}), ...(options.dropout ? { dropout: options.dropout } : {}) });
  const merged = rename(merge(ctx, ['head', 'hd'], 'qkv'), { q: 'seq' });
  return add(dot(merged, p.wo, 'qkv'), p.bo) as Tensor<Axes> as Tensor<A>;
}
