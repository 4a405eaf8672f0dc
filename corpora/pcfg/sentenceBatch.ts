import type { Grammar } from './grammar.ts';

/**
 * Sentences stored compactly: the terminal ids of sentence s are
 * tokens[offsets[s] .. offsets[s + 1]] (offsets has count + 1 entries, offsets[0] = 0).
 */
export interface SentenceBatch {
  readonly tokens: Int32Array;
  readonly offsets: Int32Array;
}

export const sentenceCount = (b: SentenceBatch): number => b.offsets.length - 1;

/** Sentence s as a view (no copy). */
export const sentenceAt = (b: SentenceBatch, s: number): Int32Array => b.tokens.subarray(b.offsets[s]!, b.offsets[s + 1]!);

/** The words of a sentence of terminal ids. */
export const sentenceWords = (g: Grammar, sentence: ArrayLike<number>): string[] =>
  Array.from(sentence, (id) => g.terminals[id]!);

/** A sentence as text: words joined by single spaces (the study's format). */
export const sentenceText = (g: Grammar, sentence: ArrayLike<number>): string => sentenceWords(g, sentence).join(' ');

/** Every sentence of a batch as text. */
export function batchTexts(g: Grammar, b: SentenceBatch): string[] {
  const out: string[] = [];
  for (let s = 0; s < sentenceCount(b); s++) out.push(sentenceText(g, sentenceAt(b, s)));
  return out;
}

/** A batch from arrays of terminal ids. */
export function batchFromSentences(sentences: readonly ArrayLike<number>[]): SentenceBatch {
  const offsets = new Int32Array(sentences.length + 1);
  sentences.forEach((s, i) => (offsets[i + 1] = offsets[i]! + s.length));
  const tokens = new Int32Array(offsets[sentences.length]!);
  sentences.forEach((s, i) => tokens.set(s, offsets[i]!));
  return { tokens, offsets };
}
