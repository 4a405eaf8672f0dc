import * as p from '../dsl/index.ts';
import { hostTensor } from '../dsl/host.ts';
import type { Tensor } from '../dsl/tensor.ts';
import { type BackendName, compile } from '../compiler/compile.ts';
import type { EncoderConfig } from '../models/config.ts';
import { type TokenGrid, encode } from '../models/encoder.ts';
import { mlmLogits } from '../models/heads.ts';
import type { MlmModelParams } from '../models/params.ts';
import { EvalError } from './errors.ts';
import { type HostMlmView, viewParams } from './mlmView.ts';
import type { SingleMaskRows } from './singleMaskRows.ts';

/** The rows of a single-mask batch: tokens, and the masked position of each row. */
interface MaskedRows {
  readonly inputIds: TokenGrid;
  readonly attentionMask: TokenGrid;
  readonly maskedAt: Tensor<['batch']>;
}

/**
 * The model's probabilities of chosen words at the masked position of each row, in eval mode (no
 * dropout): softmax over the FULL vocabulary, then the columns `wordIds` (not renormalised).
 * Only the masked position goes through the MLM head (as a one-long 'seq' axis).
 */
export function maskedWordProbs(model: MlmModelParams, batch: MaskedRows, wordIds: Tensor<['word']>, config: EncoderConfig): Tensor<['batch', 'word']> {
  const { last } = encode(model.encoder, { inputIds: batch.inputIds, attentionMask: batch.attentionMask }, config);
  const at = p.expand(batch.maskedAt, ['pick'], [1]);
  const atMask = p.rename(p.gather(last, at, 'seq'), { pick: 'seq' }); // ['batch', 'seq' = 1, 'hidden']
  const logits = mlmLogits(model.mlmHead, model.encoder.embeddings, atMask, config);
  return p.squeeze(p.gather(p.softmax(logits, 'vocab'), wordIds, 'vocab'), 'seq');
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
    inputIds: hostTensor(ids, ['batch', 'seq'], [B, L], 'i32'),
    attentionMask: hostTensor(mask, ['batch', 'seq'], [B, L], 'bool'),
    maskedAt: hostTensor(at, ['batch'], [B], 'i32'),
  };
  const words = hostTensor(wordIds, ['word'], [W], 'i32');
  const program = compile(
    (m: MlmModelParams, b: MaskedRows, w: Tensor<['word']>) => maskedWordProbs(m, b, w, config),
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
    const q = program(model, batch, words);
    out.set(q.data.subarray(0, n * W) as Float32Array, start * W);
  }
  return out;
}
