// The files of a checkpoint directory in memory (no file system: a browser page downloads them);
// saveCheckpoint (checkpointDir.ts) writes them to disk atomically.
import type { CheckpointContents, SaveOptions } from './checkpointDir.ts';
import { CheckpointConfigError, CheckpointError } from './errors.ts';
import { looksLikeMlmModel } from './hfBert.ts';
import { encodeTreeFile, type TreeSection } from './treeFile.ts';

export const MODEL_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const TRAINER_FILE = 'trainer.json';
export const PARAMS_PREFIX = 'pretext.params.';
export const EXTRA_PREFIX = 'pretext.extra.';
export const MLM_VIEW_PREFIX = 'pretext.mlm.';

function configMlmPath(config: unknown): string | null | undefined {
  const pretext = typeof config === 'object' && config !== null ? (config as { pretext?: { mlm?: unknown } }).pretext : undefined;
  const m = pretext?.mlm as { in?: unknown; path?: unknown } | null | undefined;
  if (m === undefined) return undefined;
  return m !== null && m.in === 'params' && typeof m.path === 'string' ? m.path : null;
}

/** An ELECTRA checkpoint's config (see electraConfig.ts) stores its parameters in the ELECTRA layout at the root. */
const isElectraConfig = (config: unknown): boolean =>
  typeof config === 'object' && config !== null && typeof (config as { pretext?: { electra?: unknown } }).pretext?.electra === 'object';

const isJsonable = (x: unknown): boolean => {
  try {
    return JSON.stringify(x) !== undefined;
  } catch {
    return false;
  }
};

/** A checkpoint file's contents: text, or bytes in chunks (a safetensors file is header + tensors). */
export type CheckpointFile = string | Uint8Array | readonly Uint8Array[];

/**
 * The files of a checkpoint, by name: model.safetensors, config.json and, when the contents have
 * them, optimizer.safetensors, trainer.json and the extra files. `target` names the checkpoint in
 * messages (its directory, or what a page calls it).
 */
export function checkpointFiles(contents: CheckpointContents, options: SaveOptions = {}, target = 'checkpoint'): Map<string, CheckpointFile> {
  for (const [what, value] of [['config', contents.config], ['trainer', contents.trainer]] as const) {
    if (value !== undefined && !isJsonable(value)) throw new CheckpointConfigError(`${target}: ${what} is not JSON-serialisable`, { file: target, field: what });
  }
  const hfLayout = options.hfLayout ?? (isElectraConfig(contents.config) ? 'electra' : 'bert');
  const hfBertPath = options.hfBertPath !== undefined ? options.hfBertPath
    : contents.mlmView !== undefined ? null
    : hfLayout === 'electra' ? ''
    : configMlmPath(contents.config) ?? (looksLikeMlmModel(contents.params) ? '' : null);
  if (contents.mlmView !== undefined && hfBertPath !== null) {
    throw new CheckpointError(`${target}: an mlmView takes the HF BERT names, so params cannot have them too (hfBertPath "${hfBertPath}")`, { file: target });
  }
  const files = new Map<string, CheckpointFile>();
  const sections: TreeSection[] = [{ key: 'params', tree: contents.params, prefix: PARAMS_PREFIX, hfBertPath: hfBertPath ?? undefined, hfLayout }];
  if (contents.extra !== undefined) sections.push({ key: 'extra', tree: contents.extra, prefix: EXTRA_PREFIX });
  if (contents.mlmView !== undefined) sections.push({ key: 'mlmView', tree: contents.mlmView, prefix: MLM_VIEW_PREFIX, hfBertPath: '' });
  files.set(MODEL_FILE, encodeTreeFile(sections, `${target}/${MODEL_FILE}`));
  if (contents.optimizer !== undefined) files.set(OPTIMIZER_FILE, encodeTreeFile([{ key: 'optimizer', tree: contents.optimizer, prefix: '' }], `${target}/${OPTIMIZER_FILE}`));
  files.set(CONFIG_FILE, `${JSON.stringify(contents.config ?? {}, null, 2)}\n`);
  if (contents.trainer !== undefined) files.set(TRAINER_FILE, `${JSON.stringify(contents.trainer, null, 2)}\n`);
  for (const [name, data] of Object.entries(contents.files ?? {})) {
    if (/[/\\]/.test(name) || [MODEL_FILE, CONFIG_FILE, OPTIMIZER_FILE, TRAINER_FILE].includes(name) || name.startsWith('.')) {
      throw new CheckpointError(`${target}: extra file name "${name}" must be a plain file name other than the checkpoint's own files`, { file: name });
    }
    files.set(name, data);
  }
  return files;
}
