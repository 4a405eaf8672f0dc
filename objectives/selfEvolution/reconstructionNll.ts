import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { EncoderConfig } from '../../models/config.ts';
import type { MlmModelParams } from '../../models/params.ts';
import { mlmModelLogits } from '../mlm.ts';

/** An unmasked block batch (symbolic). */
export interface BlockBatch {
  readonly inputIds: Tensor<['batch', 'seq']>;
  readonly attentionMask: Tensor<['batch', 'seq']>;
}

/**
 * SE stage-1 score: NLL_t = -ln p(x_t | x) of the *unmasked* block at every real position, from
 * the model in eval mode (no dropout, no key: deterministic). Pads give 0. ['batch', 'seq'] f32.
 */
export function reconstructionNll(params: MlmModelParams, batch: BlockBatch, config: EncoderConfig): Tensor<['batch', 'seq']> {
  const { logits } = mlmModelLogits(params, batch, config);
  const nll = p.softmaxCrossEntropy(logits, batch.inputIds, 'vocab');
  return p.where(batch.attentionMask, nll, 0);
}
