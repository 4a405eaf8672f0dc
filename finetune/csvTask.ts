import { batchFromSentences, type SentenceBatch } from '../corpora/pcfg/sentenceBatch.ts';
import { createWordPieceTokenizer, type Vocab } from '../corpora/tokenizer/index.ts';
import { type Table, readTable, tableColumn } from './csvTable.ts';
import { MissingColumnError } from './errors.ts';
import { labelledRows } from './labelledRows.ts';
import { encodeLabels, labelSpaceOf } from './labelSpace.ts';
import type { TaskData } from './taskData.ts';

/** Columns of a labelled file; any left out are found as `resolveColumns` says. */
export interface TaskColumns {
  readonly text?: string;
  /** The second text of sentence pairs. */
  readonly pair?: string;
  readonly label?: string;
}

export interface ResolvedColumns {
  readonly text: string;
  readonly pair?: string;
  readonly label: string;
}

/**
 * The text and label columns of a file. Given columns are used as they are; otherwise the label
 * is "label" and the texts are "sentence1" + "sentence2" when both exist (GLUE pairs), else
 * "text", else "sentence", else the one column that is not the label.
 */
export function resolveColumns(t: Table, c: TaskColumns): ResolvedColumns {
  const label = c.label ?? 'label';
  if (c.text !== undefined) return { text: c.text, ...(c.pair !== undefined ? { pair: c.pair } : {}), label };
  const has = (n: string) => t.columns.includes(n);
  if (has('sentence1') && has('sentence2')) return { text: 'sentence1', pair: c.pair ?? 'sentence2', label };
  const others = t.columns.filter((n) => n !== label);
  const text = has('text') ? 'text' : has('sentence') ? 'sentence' : others.length === 1 ? others[0]! : undefined;
  if (text === undefined) {
    throw new MissingColumnError(`${t.file}: cannot tell which column holds the text among ${t.columns.map((n) => `"${n}"`).join(', ')}; give --text-column`, {
      file: t.file, columns: t.columns,
    });
  }
  return { text, ...(c.pair !== undefined ? { pair: c.pair } : {}), label };
}

export type TextEncoder = (text: string) => Int32Array;

/** A WordPiece tokenizer over the model's vocabulary (text to ids, no specials). */
export const vocabEncoder = (vocab: Vocab): TextEncoder => createWordPieceTokenizer(vocab).encode;

/** Token ids of a file's text column(s). */
export function tableTexts(t: Table, cols: Pick<ResolvedColumns, 'text' | 'pair'>, encode: TextEncoder): { first: SentenceBatch; second?: SentenceBatch } {
  const first = batchFromSentences(tableColumn(t, cols.text, '--text-column').map(encode));
  if (cols.pair === undefined) return { first };
  return { first, second: batchFromSentences(tableColumn(t, cols.pair, '--pair-column').map(encode)) };
}

/**
 * A task from a training and a validation file (CSV or TSV with a header, e.g. `pcfg tasks`
 * output or a GLUE task). The label space is the training file's (see labelSpaceOf); a
 * validation label outside it is an UnknownLabelError.
 */
export function csvTaskData(files: { readonly train: string; readonly valid: string }, columns: TaskColumns, vocab: Vocab, seqLen: number): TaskData {
  const trainTable = readTable(files.train);
  const validTable = readTable(files.valid);
  const cols = resolveColumns(trainTable, columns);
  const trainLabels = tableColumn(trainTable, cols.label, '--label-column');
  const labels = labelSpaceOf(trainLabels);
  const encode = vocabEncoder(vocab);
  const rowsOf = (t: Table, values: readonly string[]) =>
    labelledRows(tableTexts(t, cols, encode), encodeLabels(values, labels, { file: t.file, column: cols.label, lines: t.lines }), vocab.specials, seqLen);
  return {
    train: rowsOf(trainTable, trainLabels),
    valid: rowsOf(validTable, tableColumn(validTable, cols.label, '--label-column')),
    labels,
    source: { trainCsv: files.train, validCsv: files.valid, columns: cols },
  };
}
