import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateGrammar, readGrammarFile, type Grammar, type GrammarShape } from '../corpora/pcfg/index.ts';
import { createVocab, readVocabFile, type Vocab } from '../corpora/tokenizer/index.ts';
import {
  CONFIG_FILE, CheckpointConfigError, CheckpointNotFoundError, MODEL_FILE, latestCheckpoint, loadMlmModel, type GrammarRef, type LoadedMlmModel, type VocabRef,
} from '../models/checkpoint/index.ts';
import { HF_VOCAB_FILE, hfVocabRef, isHfCheckpointDir, isPretextConfig, loadHfCheckpoint, loadHfMlmModel } from '../models/checkpoint/hfImport.ts';
import { key } from '../prng/key.ts';
import { EvalError } from './errors.ts';
import type { HostMlmView } from './mlmView.ts';

/** A checkpoint's masked LM with its vocabulary, ready for evaluation. */
export interface CheckpointMlm {
  /** The checkpoint directory actually loaded (a run directory resolves to its latest checkpoint). */
  readonly dir: string;
  readonly view: HostMlmView;
  readonly vocab: Vocab;
  readonly loaded: LoadedMlmModel;
  /** trainer.json's `step`, when it has one. */
  readonly step: number | undefined;
}

/** A checkpoint directory, or a run directory's latest checkpoint. */
export function resolveCheckpointDir(dir: string): string {
  if (existsSync(join(dir, MODEL_FILE))) return resolve(dir);
  const latest = latestCheckpoint(dir);
  if (latest) return latest;
  if (existsSync(join(dir, 'pytorch_model.bin'))) {
    throw new CheckpointNotFoundError(`${dir}: has pytorch_model.bin but no ${MODEL_FILE}; pretext reads safetensors only (save it with transformers' save_pretrained(..., safe_serialization=True))`, { file: dir });
  }
  throw new CheckpointNotFoundError(`${dir}: neither a checkpoint (no ${MODEL_FILE}) nor a run directory with one`, { file: dir });
}

/** Whether the checkpoint names a vocabulary (a pretext checkpoint's pretext.vocab, a transformers directory's vocab.txt). */
export const hasCheckpointVocab = (loaded: LoadedMlmModel): boolean => loaded.pretext.vocab !== undefined;

/**
 * The vocabulary config.json names (`pretext.vocab`: a file relative to the checkpoint, or the
 * tokens); for a transformers checkpoint, its vocab.txt.
 */
export function checkpointVocab(loaded: LoadedMlmModel): Vocab {
  return readCheckpointVocab(loaded.dir, loaded.checkpoint.config, loaded.pretext.vocab, loaded.encoderConfig.vocabSize);
}

/** The vocabulary a checkpoint directory's config names (or its vocab.txt), checked against the model's vocabulary size. */
export function readCheckpointVocab(dir: string, config: unknown, ref: VocabRef | undefined, vocabSize: number): Vocab {
  const configFile = join(dir, CONFIG_FILE);
  if (!ref && !isPretextConfig(config)) {
    // RoBERTa's tokenizer is byte-level BPE; pretext has WordPiece / word-level vocabularies only
    const bpe = existsSync(join(dir, 'vocab.json')) ? ' (its vocab.json + merges.txt are a byte-level BPE tokenizer, which pretext does not implement)' : '';
    throw new CheckpointConfigError(
      `${dir}: no vocab.txt${bpe}; commands that turn words into ids need one beside the model (one token per line in id order, with [PAD] [UNK] [CLS] [SEP] [MASK])`,
      { file: join(dir, HF_VOCAB_FILE), field: HF_VOCAB_FILE },
    );
  }
  if (!ref) throw new CheckpointConfigError(`${configFile}: pretext.vocab is missing (a vocab file or the tokens)`, { file: configFile, field: 'pretext.vocab' });
  const vocab = 'file' in ref ? readVocabFile(resolve(dir, ref.file)) : createVocab(ref.tokens, `${configFile}: pretext.vocab.tokens`);
  if (vocab.size !== vocabSize) {
    throw new EvalError(`${vocab.source}: ${vocab.size} tokens, but the model (${configFile}) has a vocabulary of ${vocabSize}`, {
      file: vocab.source, tokens: vocab.size, vocabSize,
    });
  }
  return vocab;
}

/**
 * The encoder of a transformers checkpoint directory and its vocab.txt (a base model without an
 * MLM head, BertModel / RobertaModel, will do).
 */
export function loadHfCheckpointEncoder(dir: string) {
  const hf = loadHfCheckpoint(dir);
  const vocab = readCheckpointVocab(hf.dir, hf.config, hfVocabRef(hf.dir), hf.model.encoder.vocabSize);
  const network = `transformers ${hf.model.architectures[0] ?? hf.model.family} encoder`;
  return { dir: hf.dir, encoder: hf.encoder, config: hf.model.encoder, vocab, network, step: undefined };
}

/** The grammar a checkpoint's config names (`pretext.grammar`), and a description of where it came from. */
export function checkpointGrammar(ref: GrammarRef, dir: string): { grammar: Grammar; source: string } {
  if ('file' in ref) {
    const file = resolve(dir, ref.file);
    return { grammar: readGrammarFile(file), source: file };
  }
  return { grammar: generateGrammar(key(ref.seed), (ref.shape ?? {}) as Partial<GrammarShape>), source: `generated (grammar seed ${ref.seed})` };
}

/**
 * Loads the masked LM of a checkpoint (or of a run directory's latest checkpoint) without its
 * vocabulary, for work on token ids (`train --init`). A directory whose config.json has no
 * `pretext` section is read as a transformers BERT/RoBERTa checkpoint (models/checkpoint/hfImport.ts).
 */
export function loadCheckpointMlmModel(dir: string): Omit<CheckpointMlm, 'vocab'> {
  const resolved = resolveCheckpointDir(dir);
  const loaded = isHfCheckpointDir(resolved) ? loadHfMlmModel(resolved) : loadMlmModel(resolved);
  const trainer = loaded.checkpoint.trainer as { step?: unknown } | undefined;
  return {
    dir: resolved,
    view: { encoder: loaded.params.encoder, mlmHead: loaded.params.mlmHead, config: loaded.encoderConfig },
    loaded,
    step: typeof trainer?.step === 'number' ? trainer.step : undefined,
  };
}

/** Loads the masked LM of a checkpoint (or of a run directory's latest checkpoint) and its vocabulary. */
export function loadCheckpointMlm(dir: string): CheckpointMlm {
  const model = loadCheckpointMlmModel(dir);
  return { ...model, vocab: checkpointVocab(model.loaded) };
}
