import { terminalId, type Grammar } from './grammar.ts';
import { GrammarError } from './grammarErrors.ts';

/** A sentence given as text cannot be scored by the grammar. */
export class SentenceError extends GrammarError {}

/** A word of a sentence is not a terminal of the grammar; names the word and its 0-based position. */
export class UnknownWordError extends SentenceError {}

/** Terminal ids of a sentence given as whitespace-separated words. */
export function encodeSentence(g: Grammar, text: string): Int32Array {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) throw new SentenceError('the sentence is empty', { sentence: text });
  const ids = new Int32Array(words.length);
  words.forEach((w, i) => {
    const id = terminalId(g, w);
    if (id < 0) {
      throw new UnknownWordError(`unknown word "${w}" at position ${i} (0-based): it is not a terminal of the grammar`, {
        word: w, position: i,
      });
    }
    ids[i] = id;
  });
  return ids;
}
