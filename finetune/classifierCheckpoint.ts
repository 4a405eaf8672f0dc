import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { formatVocabText, type Vocab } from '../corpora/tokenizer/index.ts';
import { spec } from '../dsl/host.ts';
import type { Concrete } from '../dsl/trace.ts';
import { readCheckpointVocab, resolveCheckpointDir } from '../eval/checkpointModel.ts';
import { CONFIG_FILE, CheckpointConfigError, MODEL_FILE, checkpointConfig, decodePretextSection, loadCheckpoint, mlmModelSpec, saveCheckpoint } from '../models/checkpoint/index.ts';
import { readJson } from '../models/checkpoint/checkpointDir.ts';
import { describeDecodeErrors } from '../models/checkpoint/config.ts';
import type { EncoderConfig } from '../models/config.ts';
import type { LabelSpace } from './labelSpace.ts';
import type { ResolvedColumns } from './csvTask.ts';
import type { SequenceClassifier, SequenceClassifierParams } from './sequenceClassifier.ts';

/** The sub-directory of a fine-tuning run that holds its best model. */
export const BEST_MODEL_DIR = 'best';

/** The `pretext.task` section of a fine-tuned classifier's config.json: what its outputs mean and how it reads text. */
const TaskSectionCodec = t.intersection([
  t.type({
    labels: t.union([t.type({ kind: t.literal('classification'), names: t.array(t.string) }), t.type({ kind: t.literal('regression') })]),
    seqLen: t.number,
  }),
  t.partial({ columns: t.intersection([t.type({ text: t.string, label: t.string }), t.partial({ pair: t.string })]) }),
]);
export type TaskSection = t.TypeOf<typeof TaskSectionCodec>;

/** A fine-tuned classifier as stored: the model, its vocabulary and how its rows are built. */
export interface StoredClassifier extends SequenceClassifier {
  readonly dir: string;
  readonly vocab: Vocab;
  readonly seqLen: number;
  /** The CSV columns it was trained on, when it was trained on files. */
  readonly columns?: ResolvedColumns;
}

/** The parameter shapes of a classifier ({ encoder, pooler, classifier }), for checking a stored one. */
function classifierSpec(c: EncoderConfig, outputs: number) {
  return {
    encoder: mlmModelSpec(c).encoder,
    pooler: { w: spec(['hidden', 'out'], [c.hidden, c.hidden]), b: spec(['out'], [c.hidden]) },
    classifier: { w: spec(['hidden', 'label'], [c.hidden, outputs]), b: spec(['label'], [outputs]) },
  };
}

/** transformers' label fields: id2label / label2id (problem_type tells classification from regression). */
function hfLabelFields(labels: LabelSpace): Record<string, unknown> {
  const names = labels.kind === 'classification' ? labels.names : ['LABEL_0'];
  return {
    id2label: Object.fromEntries(names.map((n, i) => [String(i), n])),
    label2id: Object.fromEntries(names.map((n, i) => [n, i])),
    problem_type: labels.kind === 'classification' ? 'single_label_classification' : 'regression',
  };
}

/**
 * config.json of a classifier checkpoint: a BertConfig with id2label / label2id and
 * `pretext.task` (label space, row length, columns). `hfNames`: the tensors carry
 * BertForSequenceClassification's names (saveClassifier); otherwise (a fine-tuning run's step
 * checkpoints, stored by pytree path) transformers is told it cannot load them.
 */
export function classifierConfig(m: Omit<StoredClassifier, 'dir' | 'params'>, more: Readonly<Record<string, unknown>>, hfNames: boolean): Record<string, unknown> {
  const task: TaskSection = { labels: m.labels.kind === 'classification' ? { kind: 'classification', names: [...m.labels.names] } : m.labels, seqLen: m.seqLen, ...(m.columns ? { columns: m.columns } : {}) };
  return {
    ...checkpointConfig({
      encoder: m.config, objective: { name: 'finetune' }, mlm: null, vocab: { file: 'vocab.txt' }, padTokenId: m.vocab.specials.pad,
      ...(hfNames ? { architecture: 'BertForSequenceClassification' as const } : {}), more: { ...more, task },
    }),
    ...hfLabelFields(m.labels),
  };
}

/**
 * Writes a fine-tuned classifier as a checkpoint directory (atomically) in transformers'
 * BertForSequenceClassification layout: `bert.*` encoder names, `bert.pooler.dense.*`,
 * `classifier.*`, classifierConfig's config.json and vocab.txt. Where the encoder is not HF
 * BERT's (pre-LN...), config.json says so (model_type "pretext", pretext.hfIncompatibility) as
 * every pretext checkpoint does.
 */
export function saveClassifier(dir: string, m: Omit<StoredClassifier, 'dir'>, more: Readonly<Record<string, unknown>> = {}): void {
  saveCheckpoint(dir, { config: classifierConfig(m, more, true), params: m.params, files: { 'vocab.txt': formatVocabText(m.vocab) } }, { hfBertPath: '' });
}

/** Loads a classifier saved by saveClassifier; a fine-tuning run directory means its best model. */
export function loadClassifier(dir: string): StoredClassifier {
  const resolved = resolveCheckpointDir(existsSync(join(dir, BEST_MODEL_DIR, MODEL_FILE)) ? join(dir, BEST_MODEL_DIR) : dir);
  const configFile = join(resolved, CONFIG_FILE);
  const config = readJson(configFile, true);
  const pretext = decodePretextSection(config, configFile);
  const decoded = TaskSectionCodec.decode((pretext as Record<string, unknown>).task);
  if (isLeft(decoded)) {
    throw new CheckpointConfigError(`${configFile}: not a fine-tuned classifier (pretext.task: ${describeDecodeErrors(decoded.left).join('; ')})`, { file: configFile, field: 'pretext.task' });
  }
  const task = decoded.right;
  const labels: LabelSpace = task.labels;
  const outputs = labels.kind === 'classification' ? labels.names.length : 1;
  const loaded = loadCheckpoint(resolved, { params: classifierSpec(pretext.encoder, outputs) });
  return {
    dir: loaded.dir,
    params: loaded.params as unknown as Concrete<SequenceClassifierParams>,
    config: pretext.encoder,
    labels,
    vocab: readCheckpointVocab(loaded.dir, config, pretext.vocab, pretext.encoder.vocabSize),
    seqLen: task.seqLen,
    ...(task.columns ? { columns: task.columns } : {}),
  };
}
