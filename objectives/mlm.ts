import * as p from '../dsl/index.ts';
import type { KeyTensor } from '../dsl/random.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { Concrete } from '../dsl/trace.ts';
import { bertBernoulli, budgetBertMask, exactCount, type MaskedTokens } from '../corpora/masking/index.ts';
import { type Key, foldIn, key as rootKey, splitKey } from '../prng/key.ts';
import { randint } from '../prng/samplers.ts';
import type { Normalizer } from '../dsl/nn/losses.ts';
import type { EncoderConfig } from '../models/config.ts';
import { type DropoutContext, type TokenGrid, encode } from '../models/encoder.ts';
import { mlmLogits } from '../models/heads.ts';
import { initEncoder, initMlmHead } from '../models/init.ts';
import type { MlmModelParams } from '../models/params.ts';
import { mlmLossAndMetrics, mlmPositions } from './mlmHeadLoss.ts';
import { type Mode, type Objective, type TokenBatch, type VocabInfo, batchTensor } from './objective.ts';

/**
 * Which masking: 'bernoulli' (HF/TACO: each non-special token with probability p), 'exact'
 * (fairseq: floor(p·n + U) positions without replacement), 'budget' (academic-budget BERT:
 * min(maxPredictions, max(1, round(p·n))) positions, static copies chosen by key).
 */
export type MlmMasking = { readonly kind: 'bernoulli'; readonly prob: number }
  | { readonly kind: 'exact'; readonly prob: number }
  | { readonly kind: 'budget'; readonly prob: number; readonly maxPredictions: number; readonly dupFactor: number; readonly staticSeed?: number };

export interface MlmOptions {
  readonly encoder: EncoderConfig;
  readonly vocab: VocabInfo;
  readonly masking: MlmMasking;
  /** Loss normaliser: masked tokens (BERT/HF), non-pad tokens (fairseq), or a plain sum. */
  readonly normalizer: 'masked' | 'tokens' | 'none';
}

/** A masked-LM batch (symbolic). */
export interface MlmBatch {
  readonly inputIds: Tensor<['batch', 'seq']>;
  readonly attentionMask: Tensor<['batch', 'seq']>;
  /** Original token at the predicted positions, -100 elsewhere. */
  readonly labels: Tensor<['batch', 'seq']>;
}

/**
 * Masks a token batch with the chosen variant (host, pure in the key). Budget masks ignore `key`
 * and use their static seed, copy `staticCopy` (of dupFactor) and the rows' block ids.
 */
export function maskTokens(tokens: TokenBatch, key: Key, masking: MlmMasking, vocab: VocabInfo, staticCopy?: number): MaskedTokens {
  const grid = { inputIds: tokens.inputIds, seqLen: tokens.seqLen, ...(tokens.blockIds ? { blockIds: tokens.blockIds } : {}) };
  const specialIds = [vocab.pad, vocab.unk, vocab.cls, vocab.sep, vocab.mask];
  switch (masking.kind) {
    case 'bernoulli':
      return bertBernoulli(key, grid, { maskProb: masking.prob, maskId: vocab.mask, vocabSize: vocab.size, specialIds });
    case 'exact':
      return exactCount(key, grid, { maskProb: masking.prob, maskId: vocab.mask, padId: vocab.pad, vocabSize: vocab.size, specialIds });
    case 'budget':
      // static masks: copy c of a sentence is the same at every epoch (keyed by its block id)
      return budgetBertMask(foldIn(rootKey(masking.staticSeed ?? 0), staticCopy ?? 0), grid, {
        maskProb: masking.prob, maxPredictions: masking.maxPredictions, maskId: vocab.mask, clsId: vocab.cls, sepId: vocab.sep, padId: vocab.pad, vocabSize: vocab.size,
      });
  }
}

/** The MLM batch tensors of masked tokens. */
export function mlmBatch(tokens: TokenBatch, masked: MaskedTokens): Concrete<MlmBatch> {
  return {
    inputIds: batchTensor(masked.inputIds, tokens.rows, tokens.seqLen, 'i32'),
    attentionMask: batchTensor(tokens.attentionMask, tokens.rows, tokens.seqLen, 'bool'),
    labels: batchTensor(masked.labels, tokens.rows, tokens.seqLen, 'i32'),
  };
}

/** Dropout in train mode, none in eval mode. */
export function dropoutContext(config: EncoderConfig, key: KeyTensor, mode: Mode): DropoutContext | undefined {
  return mode === 'train' && (config.dropout > 0 || config.attentionDropout > 0)
    ? { key, hidden: config.dropout, attention: config.attentionDropout }
    : undefined;
}

/** Logits of the MLM model for a batch. */
export function mlmModelLogits(params: MlmModelParams, batch: { inputIds: TokenGrid; attentionMask?: TokenGrid }, config: EncoderConfig, ctx?: DropoutContext) {
  const out = encode(params.encoder, { inputIds: batch.inputIds, attentionMask: batch.attentionMask }, config, ctx);
  return { logits: mlmLogits(params.mlmHead, params.encoder.embeddings, out.last, config), encoded: out };
}

/** The number of real (non-pad) tokens, at least 1 (fairseq's ntokens). */
export function tokenCount(attentionMask: TokenGrid): Tensor<[]> {
  return p.maximum(p.sumAll(p.cast(attentionMask, 'f32')), 1);
}

/** Normaliser tensor for the MLM loss. */
export function normalizerOf(kind: MlmOptions['normalizer'], attentionMask: TokenGrid): Normalizer {
  if (kind === 'tokens') return tokenCount(attentionMask);
  return kind === 'none' ? 'none' : 'masked';
}

/** Plain masked language modelling (BERT/RoBERTa), with the masking variants of the spec. */
export function mlmObjective(options: MlmOptions): Objective<MlmModelParams, Record<string, never>, MlmBatch> {
  const { encoder: config, vocab } = options;
  return {
    name: 'mlm',
    init(key) {
      const [ke, kh] = splitKey(key, 2) as [Key, Key];
      return { params: { encoder: initEncoder(config, ke), mlmHead: initMlmHead(config, kh) }, extra: {} };
    },
    prepare(tokens, key, _step, _mode) {
      const [kMask, kCopy] = splitKey(key, 2) as [Key, Key];
      const copy = options.masking.kind === 'budget' ? randint(kCopy, 0, options.masking.dupFactor, 1)[0]! : 0;
      return mlmBatch(tokens, maskTokens(tokens, kMask, options.masking, vocab, copy));
    },
    loss(params, _extra, batch, key, mode) {
      const { logits } = mlmModelLogits(params, batch, config, dropoutContext(config, key, mode));
      const pos = mlmPositions(logits, batch.labels);
      return mlmLossAndMetrics(pos, batch.labels, normalizerOf(options.normalizer, batch.attentionMask));
    },
    mlm: (params) => ({ encoder: params.encoder, mlmHead: params.mlmHead, config }),
  };
}
