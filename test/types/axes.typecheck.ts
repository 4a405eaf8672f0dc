/**
 * Type-level tests of the named axes: compiled by `tsc --noEmit` (npm run typecheck, in .ci/run),
 * never run. Each `@ts-expect-error` line must be an error (tsc fails on an unused directive), and
 * each `expectAxes` pins the inferred result axes exactly. Only declarations: nothing is traced.
 */
import * as p from '../../dsl/index.ts';
import type { EncoderConfig } from '../../models/config.ts';
import { type Hidden, type TokenGrid, encode } from '../../models/encoder.ts';
import { mlmLogits } from '../../models/heads.ts';
import type { EncoderParams, MlmHeadParams } from '../../models/params.ts';
import { mlmPositions } from '../../objectives/mlmHeadLoss.ts';

/** True when A and B are the same type (not merely mutually assignable). */
type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
/** Compiles only when x's axes are exactly A (otherwise tsc reports "Expected 2 arguments, but got 1"). */
const expectAxes = <A extends p.Axes>() => <B extends p.Axes>(_x: p.Tensor<B>, ..._ok: Equal<A, B> extends true ? [] : [never]): void => {};

declare const x: Hidden;
declare const ids: TokenGrid;
declare const mask: TokenGrid;
declare const table: p.Tensor<['vocab', 'hidden']>;
declare const w: p.Tensor<['hidden', 'ffn']>;
declare const bias: p.Tensor<['hidden']>;
declare const logits: p.Tensor<['batch', 'seq', 'vocab']>;
declare const loose: p.Tensor; // the escape hatch: axes known only at trace time
declare const key: p.KeyTensor;
declare const config: EncoderConfig;
declare const encoder: EncoderParams;
declare const head: MlmHeadParams;
declare const q: p.Tensor<['batch', 'head', 'q', 'hd']>;
declare const kv: p.Tensor<['batch', 'head', 'k', 'hd']>;
declare const misspelt: p.Tensor<['hiden']>;

export function positive(): void {
  // broadcasting: the first operand's axes, then the other's new ones; a number keeps them
  expectAxes<['batch', 'seq', 'hidden']>()(x.add(bias));
  expectAxes<['batch', 'seq', 'hidden']>()(p.sub(1, x));
  expectAxes<['batch', 'seq', 'hidden']>()(x.mul(0.5));
  expectAxes<['batch', 'seq', 'hidden']>()(bias.add(x).transpose(['batch', 'seq', 'hidden']));
  expectAxes<['hidden', 'batch', 'seq']>()(bias.add(x));
  expectAxes<['batch', 'seq', 'other']>()(p.lt(ids, p.rename(ids, { seq: 'other' })));
  // gather: embedding lookup, per-position pick, rows per batch
  expectAxes<['batch', 'seq', 'hidden']>()(p.gather(table, ids, 'vocab'));
  expectAxes<['batch', 'seq']>()(p.gather(logits, ids, 'vocab'));
  expectAxes<['batch', 'kept', 'hidden']>()(p.gather(x, p.zeros(['batch', 'kept'], [2, 3], 'i32'), 'seq'));
  expectAxes<['vocab']>()(p.scatterAdd(mask.mul(1), ids, 'vocab', 7));
  // contraction, merge and split, slices, reductions
  expectAxes<['batch', 'seq', 'ffn']>()(p.dot(x, w, 'hidden'));
  expectAxes<['token', 'hidden']>()(p.merge(x, ['batch', 'seq'], 'token'));
  expectAxes<['batch', 'seq', 'head', 'hd']>()(p.split(x, 'hidden', ['head', 'hd'], [2, 4]));
  expectAxes<['batch', 'hidden']>()(p.squeeze(p.slice(x, 'seq', 0, 1), 'seq'));
  expectAxes<['batch', 'seq', 'hidden']>()(p.concat([p.pad(x, 'seq', 1, 0), x], 'seq'));
  expectAxes<['batch']>()(x.sum(['seq', 'hidden']));
  expectAxes<['batch', 'seq']>()(p.argmax(logits, 'vocab'));
  expectAxes<[]>()(p.sumAll(x));
  expectAxes<['batch', 'seq', 'hidden', 'extra']>()(p.expand(x, ['extra'], [1]));
  expectAxes<['batch', 'seq', 'hidden']>()(p.broadcastTo(bias, ['batch', 'seq', 'hidden'], [2, 3, 8]));
  // comparisons, where, cast
  expectAxes<['batch', 'seq', 'hidden']>()(p.where(mask, x, 0));
  expectAxes<['batch', 'seq']>()(p.cast(ids.ge(0).and(mask), 'f32'));
  // losses and composites
  expectAxes<['batch', 'seq']>()(p.softmaxCrossEntropy(logits, ids, 'vocab'));
  expectAxes<[]>()(p.crossEntropy(logits, ids, 'vocab', { mask }));
  expectAxes<['batch', 'seq', 'vocab']>()(p.oneHot(ids, 'vocab', 7));
  expectAxes<['batch', 'seq', 'hidden']>()(p.layerNorm(p.gelu(x), 'hidden', bias, bias));
  expectAxes<['batch', 'seq', 'hidden']>()(p.dropout(key, p.softmax(x, 'hidden'), 0.1));
  expectAxes<['batch', 'seq']>()(p.categorical(key, logits, 'vocab'));
  // attention keeps x's axes; scaled dot-product attention gives batch axes, then 'q', then v's own
  expectAxes<['batch', 'head', 'q', 'hd']>()(p.scaledDotProductAttention(q, kv, kv));
  // models: the encoder and the MLM head state their axes
  const { last } = encode(encoder, { inputIds: ids, attentionMask: mask }, config);
  expectAxes<['batch', 'seq', 'vocab']>()(mlmLogits(head, encoder.embeddings, last, config));
  expectAxes<['batch', 'seq']>()(mlmPositions(logits, ids).nll);
  // untyped tensors stay untyped, and any name type-checks on them
  expectAxes<p.Axes>()(loose.sum('anything'));
  // the boundary: typed again after a trace-time check
  expectAxes<['batch', 'seq']>()(p.asAxes(loose, ['batch', 'seq']));
}

export function negative(): void {
  // a wrong axis name
  // @ts-expect-error 'hiden' is not an axis of x
  x.sum('hiden');
  // @ts-expect-error 'sequence' is not an axis of x
  p.slice(x, 'sequence', 0, 1);
  // @ts-expect-error renaming an axis x lacks
  p.rename(x, { sq: 'k' });
  // a contraction over an axis one operand lacks
  // @ts-expect-error w has no 'seq' axis
  p.dot(x, w, 'seq');
  // @ts-expect-error ['ffn', 'out'] has no 'hidden' axis
  p.dot(x, p.zeros(['ffn', 'out'], [4, 4]), 'hidden');
  // a broadcast of a misspelt axis
  // @ts-expect-error the sum has a fourth axis 'hiden', so it is not Hidden
  const h: Hidden = x.add(misspelt);
  // @ts-expect-error broadcastTo must cover every axis of its operand
  p.broadcastTo(misspelt, ['batch', 'seq', 'hidden'], [2, 3, 8]);
  // @ts-expect-error a LayerNorm gain over another axis
  p.layerNorm(x, 'hidden', misspelt);
  // a loss over the wrong class axis
  // @ts-expect-error the logits have no 'label' axis
  p.softmaxCrossEntropy(logits, ids, 'label');
  // @ts-expect-error labels over the class axis itself
  p.softmaxCrossEntropy(logits, p.zeros(['batch', 'vocab'], [2, 7], 'i32'), 'vocab');
  // @ts-expect-error a loss mask over an axis the losses lack
  p.reduceLoss(mask, p.zeros(['batch', 'word'], [2, 3], 'bool'), 'masked');
  // functions that state their axes reject others
  // @ts-expect-error the MLM head reads hidden states, not logits
  mlmLogits(head, encoder.embeddings, logits, config);
  // @ts-expect-error a result of a number operand keeps its axes: x·2 is not over ['batch', 'seq']
  const g: TokenGrid = x.mul(2);
  // @ts-expect-error the escape hatch does not flow into typed code without the boundary's asAxes
  encode(encoder, { inputIds: loose }, config);
  void h;
  void g;
}
