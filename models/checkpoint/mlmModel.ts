import { join } from 'node:path';
import type { Concrete } from '../../dsl/trace.ts';
import { flatten } from '../../dsl/tree.ts';
import { TensorSpec } from '../../dsl/host.ts';
import type { EncoderConfig } from '../config.ts';
import type { MlmModelParams } from '../params.ts';
import { CONFIG_FILE, MODEL_FILE, MLM_VIEW_PREFIX, PARAMS_PREFIX, type LoadedCheckpoint, loadCheckpoint } from './checkpointDir.ts';
import { type PretextSection, decodePretextSection } from './config.ts';
import { CheckpointError } from './errors.ts';
import { loadInto } from './loadInto.ts';
import { mlmModelSpec } from './mlmSpec.ts';
import { type LoadedElectraModel, electraGenerator, electraOfCheckpoint } from './electraModel.ts';
import { storedNames } from './treeFile.ts';
import { parsePath } from './treePaths.ts';

/** The masked LM of a checkpoint, ready for evaluation. */
export interface LoadedMlmModel {
  readonly dir: string;
  /** The checkpoint's config.json pretext section (vocab, grammar, objective...). */
  readonly pretext: PretextSection;
  /** The masked LM's architecture (ELECTRA: the generator's, while pretext.encoder is the discriminator's). */
  readonly encoderConfig: EncoderConfig;
  readonly params: Concrete<MlmModelParams>;
  readonly checkpoint: LoadedCheckpoint;
  /** ELECTRA checkpoints: the whole pair (its discriminator is the run's model). */
  readonly electra?: LoadedElectraModel;
}

function subtree(tree: unknown, path: string, file: string): unknown {
  if (path === '') return tree;
  let t = tree;
  for (const seg of parsePath(path, file)) {
    t = typeof t === 'object' && t !== null ? (t as Record<string | number, unknown>)[seg] : undefined;
    if (t === undefined) throw new CheckpointError(`${file}: the parameters have no "${path}" (pretext.mlm.path of config.json)`, { file, path });
  }
  return t;
}

/**
 * Loads the masked LM a checkpoint's config.json points at (`pretext.mlm`), checked against the
 * architecture in `pretext.encoder`: a subtree of the parameters, or the separately stored view.
 */
export function loadMlmModel(dir: string): LoadedMlmModel {
  const ckpt = loadCheckpoint(dir);
  const configFile = join(ckpt.dir, CONFIG_FILE);
  const modelFile = join(ckpt.dir, MODEL_FILE);
  const pretext = decodePretextSection(ckpt.config, configFile);
  if (pretext.mlm?.in === 'electra-generator') {
    // ELECTRA: the masked LM is the generator, assembled from the pair (the run's model is the discriminator)
    const electra = electraOfCheckpoint(ckpt, pretext);
    const generator = electraGenerator(electra);
    return { dir: ckpt.dir, pretext, encoderConfig: generator.config, params: { encoder: generator.encoder, mlmHead: generator.head }, checkpoint: ckpt, electra };
  }
  const spec = mlmModelSpec(pretext.encoder);
  const specPaths = flatten(spec, (x) => x instanceof TensorSpec).paths;
  const loc = pretext.mlm;
  if (loc === null) throw new CheckpointError(`${configFile}: pretext.mlm is null: this checkpoint holds no masked LM`, { file: configFile, field: 'pretext.mlm' });
  let tree: unknown;
  let names: Map<string, string>;
  if (loc.in === 'view') {
    if (ckpt.mlmView === undefined) throw new CheckpointError(`${modelFile}: config.json says the masked LM is stored as a view, but the file has none`, { file: modelFile });
    tree = ckpt.mlmView;
    names = storedNames(specPaths, MLM_VIEW_PREFIX, '');
  } else {
    tree = subtree(ckpt.params, loc.path, modelFile);
    const full = storedNames(specPaths.map((p) => (loc.path === '' ? p : `${loc.path}.${p}`)), PARAMS_PREFIX, loc.path);
    names = new Map(specPaths.map((p) => [p, full.get(loc.path === '' ? p : `${loc.path}.${p}`)!]));
  }
  const params = loadInto(spec, tree, { file: modelFile, names }) as unknown as Concrete<MlmModelParams>;
  return { dir: ckpt.dir, pretext, encoderConfig: pretext.encoder, params, checkpoint: ckpt };
}
