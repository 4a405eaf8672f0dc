import type { Key } from '../../prng/index.ts';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import { ChartWorkspace } from './chartWorkspace.ts';
import type { Grammar } from './grammar.ts';
import { sentenceAt, sentenceCount, sentenceText, type SentenceBatch } from './sentenceBatch.ts';
import { sampleSentences } from './sentenceSampler.ts';
import { taskLabel, type TaskName } from './taskLabels.ts';

/** Downstream sentences have 4 < length < 32 (spec 5b2). */
export const DOWNSTREAM_LENGTH = { min: 5, max: 31 } as const;

/** Whether a sentence of n words passes the downstream filter (4 < n < 32). */
export const isDownstreamLength = (n: number): boolean => n >= DOWNSTREAM_LENGTH.min && n <= DOWNSTREAM_LENGTH.max;

export interface TaskRow {
  readonly text: string;
  readonly label: number;
}

/** `count` downstream sentences (lengths 5..31) from the stream of `key`. */
export function sampleDownstreamSentences(g: Grammar, k: Key, count: number): SentenceBatch {
  return sampleSentences(g, k, count, { minLength: DOWNSTREAM_LENGTH.min, maxLength: DOWNSTREAM_LENGTH.max });
}

/** One CSV row (text, class index) per sentence of the batch. */
export function taskRows(g: Grammar, batch: SentenceBatch, task: TaskName): TaskRow[] {
  const ws = new ChartWorkspace(g.nonterminals.length);
  const rows: TaskRow[] = [];
  for (let s = 0; s < sentenceCount(batch); s++) {
    const sentence = sentenceAt(batch, s);
    rows.push({ text: sentenceText(g, sentence), label: taskLabel(g, sentence, task, ws).label });
  }
  return rows;
}

/** A CSV field, quoted (RFC 4180) only when it holds a comma, quote or line break. */
export const csvField = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The study's downstream CSV: header `text,label`, one row per sentence. */
export function formatTaskCsv(rows: readonly TaskRow[]): string {
  return ['text,label', ...rows.map((r) => `${csvField(r.text)},${r.label}`)].join('\n') + '\n';
}

/** Writes a downstream CSV atomically. */
export function writeTaskCsv(path: string, rows: readonly TaskRow[]): void {
  writeFileAtomic(path, formatTaskCsv(rows));
}
