import type { Concrete } from '../../dsl/trace.ts';
import { type ElectraParams, initElectra, towerConfig, towerEncoder } from '../../models/electra.ts';
import { type Key, splitKey } from '../../prng/key.ts';
import type { MlmView, Objective, TokenBatch } from '../objective.ts';
import { type ElectraBatch, electraBatch } from './batch.ts';
import { electraForward, electraLoss } from './forward.ts';
import { type ElectraOptions, type ResolvedElectraOptions, resolveElectraOptions } from './options.ts';

/**
 * The generator as a masked LM (with the embedding projection, when embeddingSize differs from
 * the generator's width: the view's config then carries embeddingSize).
 */
export function electraGeneratorView(params: ElectraParams, o: Pick<ResolvedElectraOptions, 'model'>): MlmView {
  return { encoder: towerEncoder(params.embeddings, params.generator), mlmHead: params.generator.mlmHead, config: towerConfig(o.model, 'generator') };
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
    electra: o,
    init: (key) => ({ params: initElectra(o.model, key), extra: {} }),
    prepare: (tokens, key) => prepare(tokens, key),
    loss(params, _extra, batch, key, mode) {
      return electraLoss(electraForward(params, batch, key, mode, o), o);
    },
    mlm: (params) => electraGeneratorView(params, o),
  };
}
