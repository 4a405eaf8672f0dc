import { basicTokenize, type BasicTokenizerOptions } from './basicTokenizer.ts';
import { VocabError } from './errors.ts';
import { SPECIAL_ROLES, SPECIAL_TOKENS } from './specialTokens.ts';
import { createVocab, type Vocab } from './vocab.ts';

/**
 * A word-level vocabulary (PCFG corpora): the five specials, then the distinct words sorted in
 * code-unit order, one token each. Every word must survive basic tokenization as itself (already
 * lowercased, no punctuation or spaces, not "##"-prefixed) so that the WordPiece tokenizer maps
 * it to exactly one token; otherwise a VocabError names the word.
 */
export function buildWordLevelVocab(words: Iterable<string>, options: BasicTokenizerOptions = {}, source = '<word-level vocab>'): Vocab {
  const specials = SPECIAL_ROLES.map((r) => SPECIAL_TOKENS[r] as string);
  const distinct = [...new Set(words)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const w of distinct) {
    const pieces = basicTokenize(w, options);
    if (pieces.length !== 1 || pieces[0] !== w || w.startsWith('##') || specials.includes(w)) {
      throw new VocabError(
        `${source}: word ${JSON.stringify(w)} cannot be a single word-level token (basic tokenization gives ${JSON.stringify(pieces)})`,
        { file: source, token: w, pieces },
      );
    }
  }
  return createVocab([...specials, ...distinct], source);
}
