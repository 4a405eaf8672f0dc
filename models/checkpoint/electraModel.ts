import { join } from 'node:path';
import { TensorSpec, spec } from '../../dsl/host.ts';
import type { Concrete } from '../../dsl/trace.ts';
import { flatten } from '../../dsl/tree.ts';
import type { EncoderConfig } from '../config.ts';
import { type DiscriminatorHeadParams, type ElectraModelConfig, type ElectraParams, towerConfig, towerEncoder } from '../electra.ts';
import type { EncoderParams, MlmHeadParams } from '../params.ts';
import { CONFIG_FILE, MODEL_FILE, PARAMS_PREFIX, type LoadedCheckpoint, loadCheckpoint } from './checkpointDir.ts';
import { type PretextSection, decodePretextSection } from './config.ts';
import { type ElectraSection, decodeElectraSection, electraModelOfConfig } from './electraConfig.ts';
import { CheckpointConfigError } from './errors.ts';
import { loadInto } from './loadInto.ts';
import { type MlmModelSpec, mlmModelSpec } from './mlmSpec.ts';
import { storedNames } from './treeFile.ts';

/** An ELECTRA checkpoint's pair, checked against its config.json. */
export interface LoadedElectraModel {
  readonly dir: string;
  readonly pretext: PretextSection;
  readonly electra: ElectraSection;
  readonly model: ElectraModelConfig;
  readonly params: Concrete<ElectraParams>;
  readonly checkpoint: LoadedCheckpoint;
}

/** One tower of the pair as a plain encoder (shared tables + its own parts) with its architecture. */
export interface ElectraTower<H> {
  readonly encoder: Concrete<EncoderParams>;
  readonly head: Concrete<H>;
  readonly config: EncoderConfig;
}

/** The shapes of ElectraParams for a pair (what initElectra draws), as TensorSpecs. */
export function electraParamsSpec(m: ElectraModelConfig) {
  const disc = mlmModelSpec(towerConfig(m, 'discriminator'));
  const gen = mlmModelSpec(towerConfig(m, 'generator'));
  const tower = ({ encoder: e }: MlmModelSpec) => ({
    embeddingLn: e.embeddings.ln,
    ...(e.embeddingProjection ? { projection: e.embeddingProjection } : {}),
    layers: e.layers,
    ...(e.finalLn ? { finalLn: e.finalLn } : {}),
  });
  const { ln: _ln, ...embeddings } = disc.encoder.embeddings;
  const h = m.discriminator.hidden;
  const head = {
    ...(m.discriminatorHead === 'electra' ? { dense: { w: spec(['hidden', 'out'], [h, h]), b: spec(['out'], [h]) } } : {}),
    out: { w: spec(['hidden'], [h]), b: spec([], []) },
  };
  return { embeddings, generator: { ...tower(gen), mlmHead: gen.mlmHead }, discriminator: { ...tower(disc), head } };
}

/** The ELECTRA pair of a loaded checkpoint whose config.json has a `pretext.electra` section. */
export function electraOfCheckpoint(ckpt: LoadedCheckpoint, pretext: PretextSection): LoadedElectraModel {
  const configFile = join(ckpt.dir, CONFIG_FILE);
  const electra = decodeElectraSection(ckpt.config, configFile);
  if (!electra) throw new CheckpointConfigError(`${configFile}: no pretext.electra section: not an ELECTRA checkpoint`, { file: configFile, field: 'pretext.electra' });
  const model = electraModelOfConfig(pretext, electra, configFile);
  const want = electraParamsSpec(model);
  const names = storedNames(flatten(want, (x) => x instanceof TensorSpec).paths, PARAMS_PREFIX, '', 'electra');
  const params = loadInto(want, ckpt.params, { file: join(ckpt.dir, MODEL_FILE), names }) as unknown as Concrete<ElectraParams>;
  return { dir: ckpt.dir, pretext, electra, model, params, checkpoint: ckpt };
}

/** Loads an ELECTRA checkpoint directory's pair (see electraConfig.ts and hfElectra.ts for the format). */
export function loadElectraModel(dir: string): LoadedElectraModel {
  const ckpt = loadCheckpoint(dir);
  return electraOfCheckpoint(ckpt, decodePretextSection(ckpt.config, join(ckpt.dir, CONFIG_FILE)));
}

/** The discriminator: the run's model, what downstream evaluations measure. */
export function electraDiscriminator(e: Pick<LoadedElectraModel, 'params' | 'model'>): ElectraTower<DiscriminatorHeadParams> {
  const { embeddings, discriminator } = e.params as unknown as ElectraParams; // towerEncoder only regroups the leaves
  return { encoder: towerEncoder(embeddings, discriminator) as unknown as Concrete<EncoderParams>, head: e.params.discriminator.head, config: towerConfig(e.model, 'discriminator') };
}

/** The generator as a masked LM (what `eval loss` scores for ELECTRA). */
export function electraGenerator(e: Pick<LoadedElectraModel, 'params' | 'model'>): ElectraTower<MlmHeadParams> {
  const { embeddings, generator } = e.params as unknown as ElectraParams;
  return { encoder: towerEncoder(embeddings, generator) as unknown as Concrete<EncoderParams>, head: e.params.generator.mlmHead, config: towerConfig(e.model, 'generator') };
}
