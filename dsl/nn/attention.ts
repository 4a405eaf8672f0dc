import type { Axes } from '../axes.ts';
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

export interface AttentionOptions {
  readonly heads: number;
  /** Key padding mask over the key positions (true = attend), e.g. Tensor<['batch', 'seq']>. */
  readonly keyMask?: Tensor<Axes>;
  /** Attention-probability dropout (train mode): a key and a rate. */
  readonly dropout?: { readonly key: KeyTensor; readonly rate: number };
}

/**
 * Scaled dot-product attention over named axes: q[..., 'q', 'hd'], k/v[..., 'k', 'hd'] ->
 * [..., 'q', 'hd']. keyMask (bool over [..., 'k']) removes padded keys (logit -1e9, so a fully
 * masked row stays finite).
 */
export function scaledDotProductAttention(
  q: Tensor<Axes>,
  k: Tensor<Axes>,
  v: Tensor<Axes>,
  options: { keyMask?: Tensor<Axes>; dropout?: { key: KeyTensor; rate: number } } = {},
): Tensor<Axes> {
  const hd = q.dim('hd');
  let scores = mul(dot(q, k, 'hd'), 1 / Math.sqrt(hd)) as Tensor<Axes>;
  if (options.keyMask) scores = where(options.keyMask, scores, -1e9) as Tensor<Axes>;
  let probs = softmax(scores, 'k');
  if (options.dropout && options.dropout.rate > 0) probs = dropout(options.dropout.key, probs, options.dropout.rate);
  return dot(probs, v, 'k');
}

/**
 * Multi-head self- (or cross-) attention: x[..., 'seq', 'hidden'] attends to context
 * [..., 'seq', 'hidden'] (defaults to x). Returns [..., 'seq', 'hidden'].
 */
export function multiHeadAttention(
  x: Tensor<Axes>,
  p: AttentionParams,
  options: AttentionOptions,
  context: Tensor<Axes> = x,
): Tensor<Axes> {
  const { heads } = options;
  const width = p.wq.dim('qkv');
  if (width % heads !== 0) throw new SizeMismatchError('multiHeadAttention', `width ${width} is not divisible by ${heads} heads`);
  const hd = width / heads;
  const project = (t: Tensor<Axes>, w: Tensor<Axes>, b: Tensor<Axes>, seqName: string) =>
    rename(split(add(dot(t, w, 'hidden'), b) as Tensor<Axes>, 'qkv', ['head', 'hd'], [heads, hd]), { seq: seqName });
  const q = project(x, p.wq, p.bq, 'q');
  const k = project(context, p.wk, p.bk, 'k');
  const v = project(context, p.wv, p.bv, 'k');
  const keyMask = options.keyMask ? rename(options.keyMask, { seq: 'k' }) : undefined;
  const ctx = scaledDotProductAttention(q, k, v, { ...(keyMask ? { keyMask } : {}), ...(options.dropout ? { dropout: options.dropout } : {}) });
  const merged = rename(merge(ctx, ['head', 'hd'], 'qkv'), { q: 'seq' });
  return add(dot(merged, p.wo, 'qkv'), p.bo) as Tensor<Axes>;
}
