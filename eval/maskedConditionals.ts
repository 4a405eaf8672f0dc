import type { Axes } from '../dsl/axes.ts';
import * as p from '../dsl/index.ts';
import { HostTensor } from '../dsl/host.ts';
import type { Tensor } from '../dsl/tensor.ts';
import { type BackendName, compile } from '../compiler/compile.ts';
import type { EncoderConfig } from '../models/config.ts';
import { encode } from '../models/encoder.ts';
import { mlmLogits } from '../models/heads.ts';
import type { MlmModelParams } from '../models/params.ts';
import { EvalError } from './errors.ts';
import { type HostMlmView, viewParams } from './mlmView.ts';
import type { SingleMaskRows } from './singleMaskRows.ts';

type T = Tensor<Axes>;

/**
 * The model's probabilities of chosen words at the masked position of each row, in eval mode (no
 * dropout): softmax over the FULL vocabulary, then the columns `wordIds` (not renormalised).
 * Only the masked position goes through the MLM head.
 */
export function maskedWordProbs(model: MlmModelParams, batch: { inputIds: T; attentionMask: T; maskedAt: T }, wordIds: T, config: EncoderConfig): T {
  const { last } = encode(model.encoder, { inputIds: batch.inputIds, attentionMask: batch.attentionMask }, config);
  const atMask = p.gather(last, batch.maskedAt, 'seq') as T; // ['batch', 'hidden']
  const logits = mlmLogits(model.mlmHead, model.encoder.embeddings, atMask, config); // ['batch', 'vocab']
  return p.gather(p.softmax(logits, 'vocab'), wordIds, 'vocab') as T; // ['batch', 'word']
}

export interface MaskedProbsOptions {
  /** Rows per compiled call (the last call is padded); default 256. */
  readonly batchSize?: number;
  readonly backend?: BackendName;
}

/**
 * q for every row: rows x wordIds.length, row-major, computed in fixed-size batches through one
 * compiled program (so a model is compiled once per batch shape).
 */
export function maskedWordProbsOfRows(view: HostMlmView, rows: SingleMaskRows, wordIds: Int32Array, options: MaskedProbsOptions = {}): Float32Array {
  const { config } = view;
  const L = rows.seqLen;
  if (L > config.maxPositions) throw new EvalError(`seqLen ${L} exceeds the model's ${config.maxPositions} positions`, { seqLen: L, maxPositions: config.maxPositions });
  for (const id of wordIds) {
    if (!(id >= 0 && id < config.vocabSize)) throw new EvalError(`word id ${id} is outside the model's vocabulary of ${config.vocabSize}`, { id });
  }
  const B = Math.max(1, Math.min(options.batchSize ?? 256, rows.rows));
  const W = wordIds.length;
  const out = new Float32Array(rows.rows * W);
  if (rows.rows === 0) return out;
  const model = viewParams(view);
  const ids = new Int32Array(B * L);
  const mask = new Uint8Array(B * L);
  const at = new Int32Array(B);
  const batch = {
    inputIds: new HostTensor(['batch', 'seq'], [B, L], 'i32', ids),
    attentionMask: new HostTensor(['batch', 'seq'], [B, L], 'bool', mask),
    maskedAt: new HostTensor(['batch'], [B], 'i32', at),
  };
  const words = new HostTensor(['word'], [W], 'i32', wordIds);
  const program = compile(
    (m: unknown, b: { inputIds: T; attentionMask: T; maskedAt: T }, w: T) => maskedWordProbs(m as MlmModelParams, b, w, config),
    [model, batch, words] as const,
    options.backend ? { backend: options.backend } : {},
  );
  for (let start = 0; start < rows.rows; start += B) {
    const n = Math.min(B, rows.rows - start);
    ids.set(rows.inputIds.subarray(start * L, (start + n) * L));
    mask.set(rows.attentionMask.subarray(start * L, (start + n) * L));
    at.set(rows.maskedAt.subarray(start, start + n));
    // padding rows repeat the last real row (any valid input; their results are dropped)
    for (let r = n; r < B; r++) {
      ids.copyWithin(r * L, (n - 1) * L, n * L);
      mask.copyWithin(r * L, (n - 1) * L, n * L);
      at[r] = at[n - 1]!;
    }
    const q = program(model, batch, words) as HostTensor;
    out.set(q.data.subarray(0, n * W) as Float32Array, start * W);
  }
  return out;
}
