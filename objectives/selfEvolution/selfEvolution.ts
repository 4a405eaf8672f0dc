import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import { hardTokenMasking } from '../../corpora/masking/index.ts';
import { hostTensor } from '../../dsl/host.ts';
import type { KeyTensor } from '../../dsl/random.ts';
import type { EncoderConfig } from '../../models/config.ts';
import type { DropoutContext } from '../../models/encoder.ts';
import { initEncoder, initMlmHead } from '../../models/init.ts';
import type { MlmModelParams } from '../../models/params.ts';
import { type Key, splitKey } from '../../prng/key.ts';
import { dropoutContext, maskTokens, mlmModelLogits, tokenCount } from '../mlm.ts';
import { type Mode, type Objective, type TokenBatch, type VocabInfo, batchTensor } from '../objective.ts';
import { SelfEvolutionError } from './errors.ts';
import { type EvolutionReference, evolutionPositions } from './evolutionTarget.ts';

export interface SelfEvolutionOptions {
  readonly encoder: EncoderConfig;
  readonly vocab: VocabInfo;
  /** Stage-1 hard positions by block id (selfQuestion / loadHardTokens). */
  readonly hardPositions: ReadonlyMap<number, ArrayLike<number>>;
  /** Weight α of the reference in q = (1-α)·onehot + α·r. Default 0.1. */
  readonly alpha?: number;
  /**
   * r: 'model' (SE: the live model in eval mode on the unmasked x, stop-gradient; default),
   * 'uniform' (the code's vanilla_label_smoothing=True), 'none' (no reference: plain CE).
   */
  readonly reference?: 'model' | 'uniform' | 'none';
  /** Fallback (and validation) masking rate of fairseq's dynamic masking. Default 0.15. */
  readonly maskProb?: number;
  /** Reproduce the |H| = 1 quirk of the released code (spec 1c). Default false. */
  readonly seSingleHardTokenCompat?: boolean;
}

/** An SE stage-2 batch (symbolic). */
export interface SelfEvolutionBatch {
  /** x~: hard positions (or the fallback's selection) corrupted. */
  readonly inputIds: Tensor<['batch', 'seq']>;
  /** x: the unmasked block (reference pass input). */
  readonly originalIds: Tensor<['batch', 'seq']>;
  readonly attentionMask: Tensor<['batch', 'seq']>;
  /** x_t at the predicted positions, -100 elsewhere. */
  readonly labels: Tensor<['batch', 'seq']>;
  /** 1 where the row was masked by its hard set, 0 where it fell back to random masking. */
  readonly hardRow: Tensor<['batch']>;
}

interface Resolved {
  readonly alpha: number;
  readonly reference: 'model' | 'uniform' | 'none';
  readonly maskProb: number;
}

function resolve(options: SelfEvolutionOptions): Resolved {
  const alpha = options.alpha ?? 0.1;
  if (!(alpha >= 0 && alpha <= 1)) throw new SelfEvolutionError(`selfEvolution: alpha must be in [0, 1], got ${alpha}`, { option: 'alpha', value: alpha });
  const reference = options.reference ?? 'model';
  if (!['model', 'uniform', 'none'].includes(reference)) {
    throw new SelfEvolutionError(`selfEvolution: reference must be 'model', 'uniform' or 'none', got ${String(reference)}`, { option: 'reference', value: reference });
  }
  const maskProb = options.maskProb ?? 0.15;
  if (!(maskProb >= 0 && maskProb <= 1)) throw new SelfEvolutionError(`selfEvolution: maskProb must be in [0, 1], got ${maskProb}`, { option: 'maskProb', value: maskProb });
  return { alpha, reference, maskProb };
}

/** Whether row r of `tokens` is masked by its hard set (rather than the random fallback). */
function usesHardSet(tokens: TokenBatch, r: number, options: SelfEvolutionOptions): boolean {
  const n = options.hardPositions.get(tokens.blockIds![r]!)?.length ?? 0;
  return n > 1 || (n === 1 && !options.seSingleHardTokenCompat);
}

/**
 * The reference distribution: the same (current) weights in eval mode — no dropout, whatever the
 * step's mode — on the unmasked block, as constant log-probabilities.
 */
export function referenceLogProbs(params: MlmModelParams, batch: Pick<SelfEvolutionBatch, 'originalIds' | 'attentionMask'>, config: EncoderConfig): Tensor<['batch', 'seq', 'vocab']> {
  const { logits } = mlmModelLogits(params, { inputIds: batch.originalIds, attentionMask: batch.attentionMask }, config);
  return p.stopGradient(p.logSoftmax(logits, 'vocab'));
}

/** The two passes of a step: training logits on x~ (dropout in train mode) and the reference. */
export function selfEvolutionForward(params: MlmModelParams, batch: SelfEvolutionBatch, config: EncoderConfig, reference: Resolved['reference'], ctx?: DropoutContext) {
  const { logits } = mlmModelLogits(params, batch, config, ctx);
  const ref: EvolutionReference = reference === 'model' ? { logProbs: referenceLogProbs(params, batch, config) } : reference;
  return { logits, reference: ref };
}

/**
 * SE stage 2 (self-evolution training, spec 1b): hard tokens all masked (random fallback, and
 * always random on validation); loss L = Σ_t -Σ_v q_t ln p_t / N_tok with q = (1-α)·onehot +
 * α·r, r the live model's eval-mode prediction on the unmasked block (stop-gradient), N_tok the
 * non-pad tokens of the batch. `loss` and `loss_nll` are in nats (fairseq logs bits: see the
 * `_bits` metrics; ppl = 2^loss_bits). Also: mlm_accuracy, predictions, hard_rows (share of rows
 * masked by their hard set) and hard_fraction (predictions / real tokens in those rows, |H|/n).
 */
export function selfEvolutionObjective(options: SelfEvolutionOptions): Objective<MlmModelParams, Record<string, never>, SelfEvolutionBatch> {
  const { encoder: config, vocab } = options;
  const r = resolve(options);
  const specialIds = [vocab.pad, vocab.unk, vocab.cls, vocab.sep, vocab.mask];
  return {
    name: 'selfEvolution',
    init(key) {
      const [ke, kh] = splitKey(key, 2) as [Key, Key];
      return { params: { encoder: initEncoder(config, ke), mlmHead: initMlmHead(config, kh) }, extra: {} };
    },
    prepare(tokens, key, _step, mode) {
      let masked;
      const hardRow = new Float32Array(tokens.rows);
      if (mode === 'eval') {
        masked = maskTokens(tokens, key, { kind: 'exact', prob: r.maskProb }, vocab);
      } else {
        if (!tokens.blockIds) throw new SelfEvolutionError('selfEvolution: training batches need blockIds (hard sets are stored per block)', { option: 'blockIds' });
        masked = hardTokenMasking(key, { inputIds: tokens.inputIds, seqLen: tokens.seqLen, blockIds: tokens.blockIds }, {
          hardPositions: options.hardPositions,
          maskProb: r.maskProb,
          maskId: vocab.mask,
          padId: vocab.pad,
          vocabSize: vocab.size,
          specialIds,
          ...(options.seSingleHardTokenCompat ? { seSingleHardTokenCompat: true } : {}),
        });
        for (let i = 0; i < tokens.rows; i++) hardRow[i] = usesHardSet(tokens, i, options) ? 1 : 0;
      }
      return {
        inputIds: batchTensor(masked.inputIds, tokens.rows, tokens.seqLen, 'i32'),
        originalIds: batchTensor(tokens.inputIds, tokens.rows, tokens.seqLen, 'i32'),
        attentionMask: batchTensor(tokens.attentionMask, tokens.rows, tokens.seqLen, 'bool'),
        labels: batchTensor(masked.labels, tokens.rows, tokens.seqLen, 'i32'),
        hardRow: hostTensor(hardRow, ['batch'], [tokens.rows]),
      };
    },
    loss(params, _extra, batch, key: KeyTensor, mode: Mode) {
      const { logits, reference } = selfEvolutionForward(params, batch, config, r.reference, dropoutContext(config, key, mode));
      const pos = evolutionPositions(logits, batch.labels, reference, r.alpha);
      const nTok = tokenCount(batch.attentionMask);
      const loss = p.div(p.sumAll(pos.loss), nTok);
      const nll = p.div(p.sumAll(pos.nll), nTok);
      const count = p.sumAll(pos.selected);
      const correct = p.sumAll(p.cast(pos.predicted.eq(batch.labels), 'f32').mul(pos.selected));
      const real = p.cast(batch.attentionMask, 'f32');
      const hardReal = p.sumAll(real.mul(batch.hardRow));
      const hardPredictions = p.sumAll(pos.selected.mul(batch.hardRow));
      const lossBits = loss.mul(1 / Math.LN2);
      return {
        loss,
        metrics: {
          loss,
          loss_bits: lossBits,
          loss_nll: nll,
          loss_nll_bits: nll.mul(1 / Math.LN2),
          ppl: p.pow(p.scalar(2), lossBits),
          mlm_accuracy: p.div(correct, p.maximum(count, 1)),
          predictions: count,
          hard_rows: p.meanAll(batch.hardRow),
          hard_fraction: p.div(hardPredictions, p.maximum(hardReal, 1)),
        },
      };
    },
    mlm: (params) => ({ encoder: params.encoder, mlmHead: params.mlmHead, config }),
  };
}
