import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { EncoderConfigCodec } from '../config.ts';
import { type ElectraModelConfig, ElectraConfigError, checkElectraModelConfig, towerConfig } from '../electra.ts';
import { type CheckpointConfigOptions, type PretextSection, PRETEXT_MODEL_TYPE, checkpointConfig, describeDecodeErrors } from './config.ts';
import { CheckpointConfigError } from './errors.ts';

/**
 * config.json of an ELECTRA checkpoint: the run's model is the discriminator, so the HF fields are
 * an ElectraConfig of it (`architectures: ["ElectraForPreTraining"]`, `model_type: "electra"` when
 * transformers computes it as pretext does, else model_type "pretext" and the reasons in
 * `pretext.hfIncompatibility`; `embedding_size`), `pretext.encoder` is the discriminator's architecture, `pretext.mlm` is
 * `{ in: "electra-generator" }`, and `pretext.electra` holds the rest of the pair (the generator's
 * architecture, its HF config, the head kind, the run's ELECTRA options). See README.md.
 */
export const ElectraSectionCodec = t.type({
  generator: EncoderConfigCodec,
  embeddingSize: t.number,
  discriminatorHead: t.union([t.literal('electra'), t.literal('linear')]),
  /** The run's resolved ELECTRA options but model and vocabulary (masking, loss weights, temperature). */
  options: t.UnknownRecord,
  /** An ElectraConfig of the generator (ElectraForMaskedLM), for transformers users. */
  hfGenerator: t.UnknownRecord,
});
export type ElectraSection = t.TypeOf<typeof ElectraSectionCodec>;

export interface ElectraCheckpointConfigOptions extends Omit<CheckpointConfigOptions, 'encoder' | 'mlm'> {
  readonly model: ElectraModelConfig;
  /** The resolved ELECTRA options but model and vocabulary (JSON). */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * Why a tower is not what transformers computes from the same tensors (ElectraForPreTraining for
 * the discriminator, ElectraForMaskedLM for the generator); empty when it is.
 */
export function electraHfIncompatibility(m: ElectraModelConfig, tower: 'discriminator' | 'generator'): string[] {
  const reasons: string[] = [];
  if (m[tower].layerNorm === 'pre') reasons.push(`pre-LN ${tower} (x + f(LN(x)) with a final LayerNorm); HF ELECTRA is post-LN`);
  if (m[tower].typeVocabSize < 1) reasons.push('no token type embeddings (HF ELECTRA needs type_vocab_size >= 1)');
  if (tower === 'discriminator' && m.discriminatorHead === 'linear') {
    reasons.push("'linear' discriminator head (one dense(hidden→1)); HF ElectraDiscriminatorPredictions is dense + activation + dense_prediction");
  }
  if (tower === 'generator' && m.generator.gelu === 'tanh') reasons.push('tanh-GELU generator head; HF ElectraGeneratorPredictions always uses the exact (erf) GELU');
  return reasons;
}

/**
 * The HF fields of an ElectraConfig of one tower (the BERT fields checkpointConfig writes, plus
 * embedding_size): `architectures` and model_type "electra" only when transformers computes that
 * tower from the tensors, else model_type "pretext" (as checkpointConfig does for BERT).
 */
function hfElectraFields(o: ElectraCheckpointConfigOptions, tower: 'discriminator' | 'generator', architecture: string): Record<string, unknown> {
  const { pretext: _pretext, architectures: _a, model_type: _t, ...fields } = checkpointConfig({ ...o, encoder: o.model[tower], mlm: null });
  const named = electraHfIncompatibility(o.model, tower).length === 0 ? { architectures: [architecture], model_type: 'electra' } : { model_type: PRETEXT_MODEL_TYPE };
  return { ...named, embedding_size: o.model.embeddingSize, ...fields };
}

/** The config.json of an ELECTRA checkpoint (parameters: ElectraParams, stored in the layout of hfElectra.ts). */
export function electraCheckpointConfig(o: ElectraCheckpointConfigOptions): Record<string, unknown> {
  checkElectraModelConfig(o.model);
  const base = checkpointConfig({ ...o, encoder: towerConfig(o.model, 'discriminator'), mlm: { in: 'electra-generator' } });
  const { hfCompatible: _c, hfIncompatibility: _i, ...section } = base.pretext as PretextSection & Record<string, unknown>;
  const reasons = [...new Set([...electraHfIncompatibility(o.model, 'discriminator'), ...electraHfIncompatibility(o.model, 'generator')])];
  const electra: ElectraSection = {
    generator: o.model.generator,
    embeddingSize: o.model.embeddingSize,
    discriminatorHead: o.model.discriminatorHead,
    options: o.options,
    hfGenerator: hfElectraFields(o, 'generator', 'ElectraForMaskedLM'),
  };
  return {
    ...hfElectraFields(o, 'discriminator', 'ElectraForPreTraining'),
    pretext: { ...section, hfCompatible: reasons.length === 0, ...(reasons.length > 0 ? { hfIncompatibility: reasons } : {}), electra },
  };
}

/** The `pretext.electra` section of a parsed config.json, undefined when there is none (not an ELECTRA checkpoint). */
export function decodeElectraSection(config: unknown, file: string): ElectraSection | undefined {
  const section = (config as { pretext?: { electra?: unknown } } | null)?.pretext?.electra;
  if (section === undefined) return undefined;
  const r = ElectraSectionCodec.decode(section);
  if (isLeft(r)) {
    const problems = describeDecodeErrors(r.left).map((p) => `pretext.electra.${p}`);
    throw new CheckpointConfigError(`${file}: invalid ELECTRA section\n  ${problems.join('\n  ')}`, { file, problems, field: problems[0]?.split(':')[0] });
  }
  return r.right;
}

/** The pair's architecture from config.json's pretext section (the discriminator) and its ELECTRA section; errors name `file`. */
export function electraModelOfConfig(pretext: PretextSection, electra: ElectraSection, file: string): ElectraModelConfig {
  const { embeddingSize: _e, ...discriminator } = pretext.encoder;
  const { embeddingSize: _g, ...generator } = electra.generator;
  const model: ElectraModelConfig = { discriminator, generator, embeddingSize: electra.embeddingSize, discriminatorHead: electra.discriminatorHead };
  try {
    checkElectraModelConfig(model);
  } catch (e) {
    if (!(e instanceof ElectraConfigError)) throw e;
    throw new CheckpointConfigError(`${file}: ${e.message} (pretext.encoder is the discriminator, pretext.electra the rest of the pair)`, { file, field: e.context['option'] });
  }
  return model;
}
