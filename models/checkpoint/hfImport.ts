import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TensorSpec } from '../../dsl/host.ts';
import type { Concrete } from '../../dsl/trace.ts';
import { flatten, unflatten } from '../../dsl/tree.ts';
import type { EncoderParams, MlmHeadParams, MlmModelParams } from '../params.ts';
import { CONFIG_FILE, MODEL_FILE, readJson } from './checkpointDir.ts';
import { CHECKPOINT_FORMAT_VERSION, type PretextSection, type VocabRef } from './config.ts';
import { CheckpointError, MissingTensorError, TensorShapeError, UnexpectedTensorError, UnsupportedModelError } from './errors.ts';
import { type HfFamily, type HfModelConfig, readHfModelConfig } from './hfConfig.ts';
import { hfBertEntries, isIgnoredHfName } from './hfBert.ts';
import { rawToHost } from './hostTensors.ts';
import { loadInto } from './loadInto.ts';
import type { LoadedMlmModel } from './mlmModel.ts';
import { mlmModelSpec } from './mlmSpec.ts';
import { DTYPE_BYTES, type RawTensor } from './safetensors.ts';
import { readSafetensors } from './safetensorsFile.ts';

/**
 * A plain transformers checkpoint directory (config.json without a `pretext` section,
 * model.safetensors, vocab.txt) of a BERT or RoBERTa model: BertForMaskedLM / BertModel /
 * BertForPreTraining (`bert.` prefix or none), RobertaForMaskedLM / RobertaModel (`roberta.`
 * prefix or none, `lm_head.*`). Tensor names are brought to pretext's BERT names (hfBert.ts)
 * and loaded into pretext's trees:
 *
 * - RoBERTa numbers real tokens' positions from padding_idx + 1 (2, 3, ...): the rows before that
 *   are dropped, so pretext's position i is RoBERTa's i + padding_idx + 1 and maxPositions is
 *   max_position_embeddings - padding_idx - 1. This is exact for rows whose padding comes after
 *   the real tokens (as pretext's batches are): HF gives pads position padding_idx, but pads are
 *   masked out of attention, so no real token's output depends on it.
 * - Tied copies (`cls.predictions.decoder.weight` / `lm_head.decoder.weight`, the decoder bias)
 *   and buffers (`position_ids`, `token_type_ids`), the pooler and BertForPreTraining's NSP head
 *   are checked (a decoder weight that is not the word embeddings is an error: pretext's decoder
 *   is tied) and not loaded.
 */
export interface HfCheckpoint {
  readonly dir: string;
  /** config.json as parsed. */
  readonly config: unknown;
  readonly model: HfModelConfig;
  readonly encoder: Concrete<EncoderParams>;
  /** Undefined for a model without an MLM head (BertModel, RobertaModel). */
  readonly mlmHead: Concrete<MlmHeadParams> | undefined;
  /** The file's tensor name of each pretext path (relative to { encoder, mlmHead }). */
  readonly names: ReadonlyMap<string, string>;
}

/** Whether a parsed config.json is a pretext checkpoint's (it has a `pretext` section); else it is taken as transformers'. */
export const isPretextConfig = (config: unknown): boolean => typeof config === 'object' && config !== null && 'pretext' in config;

/** Whether a checkpoint directory is a plain transformers one (its config.json has no `pretext` section). */
export const isHfCheckpointDir = (dir: string): boolean => !isPretextConfig(readJson(join(dir, CONFIG_FILE), true));

/** [prefix in the file, prefix of pretext's BERT name] of each family's head; the base model's are added per file. */
const HEAD_PREFIXES: Readonly<Record<HfFamily, readonly (readonly [string, string])[]>> = {
  bert: [['cls.', 'cls.']],
  roberta: [
    ['lm_head.dense.', 'cls.predictions.transform.dense.'],
    ['lm_head.layer_norm.', 'cls.predictions.transform.LayerNorm.'],
    ['lm_head.decoder.', 'cls.predictions.decoder.'],
    ['lm_head.bias', 'cls.predictions.bias'],
  ],
};
/** Base-model names without the family prefix (BertModel / RobertaModel save them so). */
const UNPREFIXED = /^(embeddings|encoder|pooler)\./;

/** pretext's BERT name of a file's tensor name (undefined: not a BERT/RoBERTa name of this family). */
function bertName(name: string, family: HfFamily): string | undefined {
  if (name.startsWith(`${family}.`)) return `bert.${name.slice(family.length + 1)}`;
  if (UNPREFIXED.test(name)) return `bert.${name}`;
  for (const [from, to] of HEAD_PREFIXES[family]) if (name.startsWith(from)) return to + name.slice(from.length);
  return undefined;
}

/** The file's name for a pretext BERT name (for tensors the file lacks): the family's naming, prefixed as the file's base model is. */
function fileName(bert: string, family: HfFamily, prefixed: boolean): string {
  if (bert.startsWith('bert.')) return (prefixed ? `${family}.` : '') + bert.slice(5);
  for (const [from, to] of HEAD_PREFIXES[family]) if (bert.startsWith(to)) return from + bert.slice(to.length);
  return bert;
}

const sameBytes = (a: RawTensor, b: RawTensor): boolean =>
  a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]) && Buffer.from(a.bytes).equals(Buffer.from(b.bytes));

/** Loads a plain transformers BERT/RoBERTa checkpoint directory (see HfCheckpoint). */
export function loadHfCheckpoint(dir: string): HfCheckpoint {
  const root = resolve(dir);
  const configFile = join(root, CONFIG_FILE);
  const file = join(root, MODEL_FILE);
  const config = readJson(configFile, true);
  const model = readHfModelConfig(config, configFile);
  const { family, encoder: e } = model;
  const byBert = new Map<string, RawTensor>();
  let prefixed = false;
  for (const [name, raw] of readSafetensors(file).tensors) {
    const b = bertName(name, family);
    if (b === undefined) {
      throw new UnexpectedTensorError(`${file}: tensor "${name}" is not part of a transformers ${family} encoder or masked-LM head (config.json model_type "${family}")`, { file, tensor: name });
    }
    if (byBert.has(b)) throw new UnexpectedTensorError(`${file}: tensors "${byBert.get(b)!.name}" and "${name}" are the same parameter`, { file, tensor: name });
    prefixed ||= name.startsWith(`${family}.`);
    byBert.set(b, raw);
  }
  const nameOf = (b: string): string => byBert.get(b)?.name ?? fileName(b, family, prefixed);
  const word = byBert.get('bert.embeddings.word_embeddings.weight');
  const hasHead = [...byBert.keys()].some((b) => b.startsWith('cls.predictions.'));
  if (hasHead) {
    const decoder = byBert.get('cls.predictions.decoder.weight');
    if (decoder && word && !sameBytes(decoder, word)) {
      throw new UnsupportedModelError(`${file}: "${decoder.name}" differs from "${word.name}": an untied decoder (pretext's MLM decoder is the word embeddings)`, {
        file, tensor: decoder.name, field: 'tie_word_embeddings',
      });
    }
    if (!decoder && !model.tiedDecoder) {
      throw new UnsupportedModelError(`${configFile}: tie_word_embeddings false and no decoder weight in ${file} (pretext's MLM decoder is the word embeddings)`, {
        file: configFile, field: 'tie_word_embeddings', value: false,
      });
    }
    const bias = byBert.get('cls.predictions.bias');
    const decoderBias = byBert.get('cls.predictions.decoder.bias');
    if (bias && decoderBias && !sameBytes(bias, decoderBias)) {
      throw new UnsupportedModelError(`${file}: "${decoderBias.name}" differs from "${bias.name}" (the decoder bias is the MLM bias)`, { file, tensor: decoderBias.name });
    }
    if (!bias && decoderBias) byBert.set('cls.predictions.bias', decoderBias);
  }
  const position = byBert.get('bert.embeddings.position_embeddings.weight');
  if (position && model.positionOffset > 0) {
    const rows = e.maxPositions + model.positionOffset;
    if (position.shape.length !== 2 || position.shape[0] !== rows) {
      throw new TensorShapeError(`${file}: tensor "${position.name}" has shape [${position.shape.join(', ')}], expected ${rows} rows (max_position_embeddings)`, {
        file, tensor: position.name, got: position.shape,
      });
    }
    const rowBytes = position.shape[1]! * DTYPE_BYTES[position.dtype];
    byBert.set('bert.embeddings.position_embeddings.weight', { ...position, shape: [e.maxPositions, position.shape[1]!], bytes: position.bytes.subarray(model.positionOffset * rowBytes) });
  }

  const entries = hfBertEntries({ layers: e.layers, tokenType: true, finalLn: false }).filter((x) => hasHead || x.path.startsWith('encoder.'));
  const used = new Set(entries.map((x) => x.name));
  for (const [b, raw] of byBert) {
    if (!used.has(b) && !isIgnoredHfName(b)) {
      throw new UnexpectedTensorError(`${file}: tensor "${raw.name}" is not part of a ${e.layers}-layer ${family} encoder or masked-LM head`, { file, tensor: raw.name });
    }
  }
  const missing = entries.filter((x) => !byBert.has(x.name)).map((x) => nameOf(x.name));
  if (missing.length > 0) throw new MissingTensorError(`${file}: missing tensor${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}`, { file, tensor: missing[0], missing });
  const fullSpec = mlmModelSpec(e);
  const spec = hasHead ? fullSpec : { encoder: fullSpec.encoder };
  const { paths, def } = flatten<TensorSpec>(spec, (x) => x instanceof TensorSpec);
  const entryOf = new Map(entries.map((x) => [x.path, x]));
  const leaves = paths.map((p) => {
    const x = entryOf.get(p)!;
    return rawToHost(byBert.get(x.name)!, x.axes, x.transpose, file);
  });
  const names = new Map(paths.map((p) => [p, nameOf(entryOf.get(p)!.name)]));
  const params = loadInto(spec, unflatten(def, leaves), { file, names }) as { encoder: Concrete<EncoderParams>; mlmHead?: Concrete<MlmHeadParams> };
  return { dir: root, config, model, encoder: params.encoder, mlmHead: params.mlmHead, names };
}

/** A transformers BERT checkpoint's vocabulary: WordPiece tokens, one a line in id order. */
export const HF_VOCAB_FILE = 'vocab.txt';

/** The vocabulary of a transformers checkpoint directory: its vocab.txt, when it has one. */
export const hfVocabRef = (dir: string): VocabRef | undefined => (existsSync(join(dir, HF_VOCAB_FILE)) ? { file: HF_VOCAB_FILE } : undefined);

/** The objective name a transformers checkpoint reports (its pretraining is not known to pretext). */
export const HF_OBJECTIVE = 'transformers';

/**
 * The masked LM of a plain transformers checkpoint, as loadMlmModel returns a pretext one: the
 * `pretext` section is what the checkpoint would have if pretext had written it (objective
 * "transformers" with the architectures; vocab.txt when the directory has one).
 */
export function loadHfMlmModel(dir: string): LoadedMlmModel {
  const hf = loadHfCheckpoint(dir);
  const configFile = join(hf.dir, CONFIG_FILE);
  if (!hf.mlmHead) {
    throw new CheckpointError(`${join(hf.dir, MODEL_FILE)}: no masked-LM head (${hf.model.family === 'roberta' ? 'lm_head.*' : 'cls.predictions.*'}): a ${hf.model.architectures[0] ?? 'base model'} checkpoint; commands that need an MLM cannot use it`, {
      file: join(hf.dir, MODEL_FILE), architectures: hf.model.architectures,
    });
  }
  if (hf.model.family === 'roberta' && hf.model.encoder.gelu !== 'erf') {
    // RobertaLMHead applies erf GELU whatever hidden_act says; pretext's head uses the encoder's form
    throw new UnsupportedModelError(`${configFile}: hidden_act ${JSON.stringify((hf.config as Record<string, unknown>).hidden_act)} with a RoBERTa MLM head (which always uses erf GELU) is not supported`, {
      file: configFile, field: 'hidden_act',
    });
  }
  const params: Concrete<MlmModelParams> = { encoder: hf.encoder, mlmHead: hf.mlmHead };
  const vocab = hfVocabRef(hf.dir);
  const pretext: PretextSection = {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    hfCompatible: true,
    encoder: hf.model.encoder,
    mlm: { in: 'params', path: '' },
    objective: { name: HF_OBJECTIVE, options: { architectures: hf.model.architectures, model_type: hf.model.family } },
    ...(vocab ? { vocab } : {}),
  };
  return {
    dir: hf.dir, pretext, encoderConfig: hf.model.encoder, params,
    checkpoint: {
      dir: hf.dir, config: hf.config, params, extra: undefined, mlmView: undefined, optimizer: undefined, trainer: undefined, names: { params: hf.names },
    },
  };
}
