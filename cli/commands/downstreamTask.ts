import * as t from 'io-ts';
import type { Vocab } from '../../corpora/tokenizer/index.ts';
import { csvTaskData } from '../../finetune/csvTask.ts';
import { pcfgTaskData } from '../../finetune/pcfgTask.ts';
import type { TaskData } from '../../finetune/taskData.ts';
import type { GrammarRef } from '../../models/checkpoint/index.ts';
import type { Command } from '../command.ts';
import { CliError, decodeOrThrow, IntFromString } from '../options.ts';
import { evalGrammar } from './evalSource.ts';
import { grammarSourceOptions } from './pcfgGrammarSource.ts';

/** The flags that choose a downstream task: a PCFG task (A/B/C) of the grammar, or labelled CSV/TSV files. */
export const downstreamTaskOptions = {
  ...grammarSourceOptions,
  task: { type: 'string' },
  train: { type: 'string' },
  valid: { type: 'string' },
  seed: { type: 'string' },
  'train-csv': { type: 'string' },
  'valid-csv': { type: 'string' },
  'text-column': { type: 'string' },
  'pair-column': { type: 'string' },
  'label-column': { type: 'string' },
} as const satisfies Command['options'];

export const downstreamTaskUsage = `  --task A|B|C         PCFG downstream task (default B; see pcfg tasks) of the grammar:
  --rules FILE [--allow-unreachable] | --grammar-seed N   (neither: the grammar the checkpoint's config.json names)
  --train N --valid N  sentences (defaults 2000 / 1000): the first N and the next N rows of
                       \`pcfg tasks --seed S --sentences TRAIN+VALID\` (4 < length < 32)
  --seed S             sentence seed (default 0)
or
  --train-csv FILE --valid-csv FILE   labelled CSV (TSV for .tsv) files with a header, e.g. \`pcfg tasks\` output
  --text-column C      text column (default: text, sentence, or the only non-label column;
                       sentence1 + sentence2 make pairs)
  --pair-column C      second text of sentence pairs: [CLS] a [SEP] b [SEP], token types 0 / 1
  --label-column C     label column (default label); labels that are numbers, not all integers, make a
                       regression task (one output, MSE); a validation label the training file lacks is an error`;

const Flags = t.partial({
  task: t.keyof({ A: null, B: null, C: null }, 'A | B | C'), train: IntFromString, valid: IntFromString, seed: IntFromString,
  'train-csv': t.string, 'valid-csv': t.string, 'text-column': t.string, 'pair-column': t.string, 'label-column': t.string,
});

const PCFG_FLAGS = ['task', 'train', 'valid', 'rules', 'grammar-seed'] as const;
const CSV_FLAGS = ['text-column', 'pair-column', 'label-column'] as const;

/** The task the flags choose, as rows of `seqLen` tokens of the model's vocabulary, and a one-line description. */
export function loadDownstreamTask(values: Record<string, unknown>, model: { readonly dir: string; readonly vocab: Vocab; readonly grammar?: GrammarRef | undefined }, seqLen: number): { data: TaskData; description: string } {
  const f = decodeOrThrow(Flags, values, 'flags');
  const trainCsv = f['train-csv'];
  const validCsv = f['valid-csv'];
  if (trainCsv !== undefined || validCsv !== undefined) {
    if (trainCsv === undefined || validCsv === undefined) throw new CliError('give both --train-csv FILE and --valid-csv FILE', { flags: ['train-csv', 'valid-csv'] });
    const clash = PCFG_FLAGS.find((k) => values[k] !== undefined);
    if (clash) throw new CliError(`--${clash} is for PCFG tasks; it does not apply to --train-csv/--valid-csv`, { flag: clash });
    const data = csvTaskData({ train: trainCsv, valid: validCsv }, {
      ...(f['text-column'] !== undefined ? { text: f['text-column'] } : {}),
      ...(f['pair-column'] !== undefined ? { pair: f['pair-column'] } : {}),
      ...(f['label-column'] !== undefined ? { label: f['label-column'] } : {}),
    }, model.vocab, seqLen);
    return { data, description: `${trainCsv} / ${validCsv}` };
  }
  const clash = CSV_FLAGS.find((k) => values[k] !== undefined);
  if (clash) throw new CliError(`--${clash} is for --train-csv/--valid-csv files`, { flag: clash });
  const { grammar, source } = evalGrammar(values, model);
  const task = f.task ?? 'B';
  const data = pcfgTaskData(grammar, model.vocab, { task, train: f.train ?? 2000, valid: f.valid ?? 1000, seed: f.seed ?? 0, seqLen });
  return { data: { ...data, source: { ...data.source, grammar: source } }, description: `PCFG task ${task}, grammar ${source}` };
}
