import type { Tensor } from '../../dsl/tensor.ts';
import type { Concrete } from '../../dsl/trace.ts';
import { type ElectraParams, ElectraConfigError, initElectra, towerEmbeddings } from '../../models/electra.ts';
import { type Key, splitKey } from '../../prng/key.ts';
import type { MlmView, Objective, TokenBatch } from '../objective.ts';
import { type ElectraBatch, electraBatch } from './batch.ts';
import { electraForward, electraLoss } from './forward.ts';
import { type ElectraOptions, type ResolvedElectraOptions, resolveElectraOptions } from './options.ts';

/**
 * The generator as a masked LM. The MlmView's encoder has no embedding projection, so this needs
 * embeddingSize = generator hidden size; otherwise it throws ElectraConfigError.
 */
export function electraGeneratorView(params: ElectraParams, o: Pick<ResolvedElectraOptions, 'model'>): MlmView {
  if (params.generator.projection) {
    throw new ElectraConfigError(
      `ELECTRA: the generator has an embedding projection (embeddingSize ${o.model.embeddingSize} != generator hidden ${o.model.generator.hidden}), which an MlmView cannot express`,
      { option: 'embeddingSize', value: o.model.embeddingSize },
    );
  }
  return {
    encoder: { embeddings: towerEmbeddings(params.embeddings, params.generator), layers: params.generator.layers },
    mlmHead: params.generator.mlmHead,
    config: o.model.generator,
  };
}

/** Host preparation of ELECTRA (pure in the key). Sub-key 1 of `key` is left unused, for compositions. */
export function prepareElectra(o: ResolvedElectraOptions): (tokens: TokenBatch, key: Key) => Concrete<ElectraBatch> {
  return (tokens, key) => electraBatch(tokens, splitKey(key, 2)[0]!, o);
}

/** ELECTRA (spec 4): L = gen_weight·L_MLM + disc_weight·L_disc; `mlm` is the generator. */
export function electraObjective(options: ElectraOptions): Objective<ElectraParams, Record<string, never>, ElectraBatch> & { readonly options: ResolvedElectraOptions } {
  const o = resolveElectraOptions(options);
  const prepare = prepareElectra(o);
  return {
    name: 'electra',
    options: o,
    init: (key) => ({ params: initElectra(o.model, key), extra: {} }),
    prepare: (tokens, key) => prepare(tokens, key),
    loss(params, _extra, batch, key, mode) {
      return electraLoss(electraForward(params, batch, key, mode, o), o) as { loss: Tensor<[]>; metrics: Record<string, Tensor<[]>> };
    },
    mlm: (params) => electraGeneratorView(params, o),
  };
}
