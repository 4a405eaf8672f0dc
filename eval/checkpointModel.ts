import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateGrammar, readGrammarFile, type Grammar, type GrammarShape } from '../corpora/pcfg/index.ts';
import { createVocab, readVocabFile, type Vocab } from '../corpora/tokenizer/index.ts';
import {
  CONFIG_FILE, CheckpointConfigError, CheckpointNotFoundError, MODEL_FILE, latestCheckpoint, loadMlmModel, type GrammarRef, type LoadedMlmModel,
} from '../models/checkpoint/index.ts';
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
  throw new CheckpointNotFoundError(`${dir}: neither a checkpoint (no ${MODEL_FILE}) nor a run directory with one`, { file: dir });
}

/** The vocabulary config.json names (`pretext.vocab`: a file relative to the checkpoint, or the tokens). */
export function checkpointVocab(loaded: LoadedMlmModel): Vocab {
  const configFile = join(loaded.dir, CONFIG_FILE);
  const ref = loaded.pretext.vocab;
  if (!ref) throw new CheckpointConfigError(`${configFile}: pretext.vocab is missing (a vocab file or the tokens)`, { file: configFile, field: 'pretext.vocab' });
  const vocab = 'file' in ref ? readVocabFile(resolve(loaded.dir, ref.file)) : createVocab(ref.tokens, `${configFile}: pretext.vocab.tokens`);
  if (vocab.size !== loaded.encoderConfig.vocabSize) {
    throw new EvalError(`${vocab.source}: ${vocab.size} tokens, but the model (${configFile}) has a vocabulary of ${loaded.encoderConfig.vocabSize}`, {
      file: vocab.source, tokens: vocab.size, vocabSize: loaded.encoderConfig.vocabSize,
    });
  }
  return vocab;
}

/** The grammar a checkpoint's config names (`pretext.grammar`), and a description of where it came from. */
export function checkpointGrammar(ref: GrammarRef, dir: string): { grammar: Grammar; source: string } {
  if ('file' in ref) {
    const file = resolve(dir, ref.file);
    return { grammar: readGrammarFile(file), source: file };
  }
  return { grammar: generateGrammar(key(ref.seed), (ref.shape ?? {}) as Partial<GrammarShape>), source: `generated (grammar seed ${ref.seed})` };
}

/** Loads the masked LM of a checkpoint (or of a run directory's latest checkpoint) and its vocabulary. */
export function loadCheckpointMlm(dir: string): CheckpointMlm {
  const resolved = resolveCheckpointDir(dir);
  const loaded = loadMlmModel(resolved);
  const vocab = checkpointVocab(loaded);
  const trainer = loaded.checkpoint.trainer as { step?: unknown } | undefined;
  return {
    dir: resolved,
    view: { encoder: loaded.params.encoder, mlmHead: loaded.params.mlmHead, config: loaded.encoderConfig },
    vocab,
    loaded,
    step: typeof trainer?.step === 'number' ? trainer.step : undefined,
  };
}
