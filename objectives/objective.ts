import { type HostTensor, hostTensor } from '../dsl/host.ts';
import type { KeyTensor } from '../dsl/random.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { Concrete } from '../dsl/trace.ts';
import type { Key } from '../prng/key.ts';
import type { EncoderConfig } from '../models/config.ts';
import type { EncoderParams, MlmHeadParams } from '../models/params.ts';
import type { ResolvedElectraOptions } from './electra/options.ts';

/** Token sequences as a dataset yields them, before any objective-specific processing (host). */
export interface TokenBatch {
  /** rows x seqLen, row-major. */
  readonly inputIds: Int32Array;
  /** 1 = real token, 0 = padding. */
  readonly attentionMask: Uint8Array;
  readonly rows: number;
  readonly seqLen: number;
  /** Stable ids of the rows' blocks/sentences (SE stores hard tokens per block). */
  readonly blockIds?: Int32Array;
}

/** Special token ids and vocabulary size the objectives need. */
export interface VocabInfo {
  readonly size: number;
  readonly pad: number;
  readonly unk: number;
  readonly cls: number;
  readonly sep: number;
  readonly mask: number;
}

/** Training (dropout on) or evaluation (dropout off, deterministic). */
export type Mode = 'train' | 'eval';

/** What a loss returns: the scalar to minimise, scalar metrics to log, and updated non-trainable state. */
export interface LossOutput<X> {
  readonly loss: Tensor<[]>;
  readonly metrics: Readonly<Record<string, Tensor<[]>>>;
  /** New non-trainable state (e.g. ScTD's token importance); omit when unchanged. */
  readonly extra?: X;
}

/** The parts of an objective's parameters that form a masked LM (for evaluation against p*). */
export interface MlmView {
  readonly encoder: EncoderParams;
  readonly mlmHead: MlmHeadParams;
  readonly config: EncoderConfig;
}

/**
 * A pretraining objective: pure functions of (parameters, batch, key).
 *  - P: trainable parameters (symbolic pytree); X: non-trainable state updated by the step
 *    (symbolic pytree; `{}` when there is none); B: the prepared batch (symbolic pytree).
 *  - `prepare` runs on the host (masking and other data-side sampling); `loss` is traced and
 *    compiled together with its gradient and the optimizer update.
 */
export interface Objective<P, X, B> {
  readonly name: string;
  /** Initial parameters and non-trainable state. */
  init(key: Key): { readonly params: Concrete<P>; readonly extra: Concrete<X> };
  /** Host-side batch preparation for step `step` (pure: the same key gives the same batch). */
  prepare(tokens: TokenBatch, key: Key, step: number, mode: Mode): Concrete<B>;
  /** Which compiled variant a step uses (e.g. ScTD's alignment steps); one program per variant. */
  variant?(step: number, mode: Mode): string;
  /** The loss and metrics (traced). */
  loss(params: P, extra: X, batch: B, key: KeyTensor, mode: Mode, variant: string): LossOutput<X>;
  /** The masked LM inside the parameters, for single-mask evaluation (ELECTRA: its generator). */
  mlm(params: P): MlmView;
  /**
   * ELECTRA objectives (ELECTRA, ELECTRA + TC): their resolved ELECTRA options. The parameters are
   * then an ElectraParams pair whose discriminator is the run's model: checkpoints store it as such
   * (models/checkpoint/electraConfig.ts) and downstream evaluations measure it.
   */
  readonly electra?: ResolvedElectraOptions;
}

export type AnyObjective = Objective<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A ['batch', 'seq'] host tensor. */
export function batchTensor(data: Int32Array | Uint8Array | Float32Array, rows: number, seqLen: number, dtype: 'i32' | 'bool' | 'f32'): HostTensor<['batch', 'seq']> {
  return hostTensor(data, ['batch', 'seq'], [rows, seqLen], dtype);
}

/** The special ids and size of a corpora Vocab. */
export function vocabInfo(v: { readonly size: number; readonly specials: { readonly pad: number; readonly unk: number; readonly cls: number; readonly sep: number; readonly mask: number } }): VocabInfo {
  return { size: v.size, ...v.specials };
}
