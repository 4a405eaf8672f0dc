import * as p from '../../dsl/index.ts';
import type { KeyTensor } from '../../dsl/random.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { EncoderOutput, TokenGrid } from '../../models/encoder.ts';
import { type ElectraParams, discriminatorLogits, encodeTower, generatorLogits } from '../../models/electra.ts';
import { dropoutContext } from '../mlm.ts';
import type { Mode } from '../objective.ts';
import type { ElectraBatch } from './batch.ts';
import { discriminatorAccuracy, replacedTokenDetectionLoss } from './discriminatorLoss.ts';
import { generatorMlmLoss } from './generatorLoss.ts';
import type { ResolvedElectraOptions } from './options.ts';
import { replacedTokenInputs, sampleReplacements } from './replacedTokens.ts';

/** Everything one ELECTRA forward pass computes, for the objective and for compositions. */
export interface ElectraForward {
  readonly generator: EncoderOutput;
  readonly generatorLogits: Tensor<['batch', 'seq', 'vocab']>;
  /** Detached samples at every position, i32 (used at `selected` only). */
  readonly sampled: TokenGrid;
  /** x^d and its labels d (f32). */
  readonly discriminatorInputIds: TokenGrid;
  readonly discriminatorLabels: TokenGrid;
  /** The discriminator's states: states[0] is the tensor fed to its layer 1, `last` its output. */
  readonly discriminator: EncoderOutput;
  readonly discriminatorLogits: TokenGrid;
  readonly mlmLoss: Tensor<[]>;
  readonly discLoss: Tensor<[]>;
  readonly metrics: Readonly<Record<string, Tensor<[]>>>;
}

/** Sub-keys of the loss key: generator dropout, discriminator dropout, Gumbel noise. */
export const ELECTRA_KEY_STREAMS = { generatorDropout: 1, discriminatorDropout: 2, sampling: 3 } as const;

/**
 * The traced ELECTRA pass (spec 4b steps 4-7): generator on x^g, its MLM loss over the labelled
 * positions, detached Gumbel-max samples at `selected`, discriminator on x^d = x with the samples,
 * BCE over non-pad tokens. Dropout follows `mode`; sampling is random in both modes.
 * Both towers mask pad keys with the attention mask, as the reference: its Electra module passes
 * its keyword arguments to both models, and pretrain.py gives it `attention_mask` (and
 * `token_type_ids`).
 */
export function electraForward(params: ElectraParams, batch: ElectraBatch, key: KeyTensor, mode: Mode, o: ResolvedElectraOptions): ElectraForward {
  const { model } = o;
  const { attentionMask } = batch;
  const genCtx = dropoutContext(model.generator, p.foldInTensor(key, ELECTRA_KEY_STREAMS.generatorDropout), mode);
  const generator = encodeTower(params.embeddings, params.generator, { inputIds: batch.generatorInputIds, attentionMask }, model.generator, genCtx);
  const genLogits = generatorLogits(params, generator.last, model);
  const original = batch.inputIds;
  const gen = generatorMlmLoss(genLogits, batch.labels, batch.selected, original);

  const sampled = sampleReplacements(p.foldInTensor(key, ELECTRA_KEY_STREAMS.sampling), genLogits, o.temperature);
  const disc = replacedTokenInputs(original, batch.selected, sampled);
  const discCtx = dropoutContext(model.discriminator, p.foldInTensor(key, ELECTRA_KEY_STREAMS.discriminatorDropout), mode);
  const discriminator = encodeTower(params.embeddings, params.discriminator, { inputIds: disc.inputIds, attentionMask }, model.discriminator, discCtx);
  const discLogits = discriminatorLogits(params.discriminator.head, discriminator.last, model);
  const nonPad = original.ne(o.vocab.pad);
  const discLoss = replacedTokenDetectionLoss(discLogits, disc.labels, nonPad);

  const selected = p.cast(batch.selected, 'f32');
  const selectedCount = p.sumAll(selected);
  const metrics = {
    mlm_loss: gen.loss,
    disc_loss: discLoss,
    gen_acc: gen.accuracy,
    disc_acc: discriminatorAccuracy(discLogits, disc.labels, batch.selected),
    // share of S where the sample differs from the original (the discriminator's positives)
    replaced_fraction: p.div(p.sumAll(disc.labels.mul(selected)), p.maximum(selectedCount, 1)),
    // |S| over the non-pad tokens
    selected_fraction: p.div(selectedCount, p.maximum(p.sumAll(p.cast(nonPad, 'f32')), 1)),
  };
  return {
    generator, generatorLogits: genLogits, sampled, discriminatorInputIds: disc.inputIds, discriminatorLabels: disc.labels,
    discriminator, discriminatorLogits: discLogits, mlmLoss: gen.loss, discLoss, metrics,
  };
}

/** L = gen_weight·L_MLM + disc_weight·L_disc, with the pass's metrics. */
export function electraLoss(forward: ElectraForward, o: Pick<ResolvedElectraOptions, 'genWeight' | 'discWeight'>): { loss: Tensor<[]>; metrics: Readonly<Record<string, Tensor<[]>>> } {
  const loss = forward.mlmLoss.mul(o.genWeight).add(forward.discLoss.mul(o.discWeight));
  return { loss, metrics: forward.metrics };
}
