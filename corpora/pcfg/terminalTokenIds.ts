import { basicTokenize, type BasicTokenizerOptions, type Vocab } from '../tokenizer/index.ts';
import type { Grammar } from './grammar.ts';
import { GrammarVocabError } from './grammarErrors.ts';
import { formatNameList } from './nameList.ts';

/**
 * The token id of every grammar word (terminal order) in a vocabulary such as BERT's vocab.txt
 * (the study used bert-large-uncased ids, spec 5b1/5b3). Each word must be one wordpiece: basic
 * tokenization (lowercasing by default, as uncased BERT) must leave it as itself, and it must be a
 * whole token of the vocabulary, so BERT's tokenizer maps it to exactly that id. Otherwise a
 * GrammarVocabError names the vocabulary and the offending words (the first few and the count).
 */
export function terminalTokenIds(g: Grammar, vocab: Vocab, options: BasicTokenizerOptions = {}): Int32Array {
  const ids = new Int32Array(g.terminals.length);
  const bad: string[] = [];
  g.terminals.forEach((w, t) => {
    const pieces = basicTokenize(w, options);
    const id = pieces.length === 1 && pieces[0] === w ? vocab.idOf(w) : undefined;
    if (id === undefined) bad.push(w);
    else ids[t] = id;
  });
  if (bad.length > 0) {
    throw new GrammarVocabError(
      `${vocab.source}: ${bad.length} of the grammar's ${g.terminals.length} words ${bad.length === 1 ? 'is' : 'are'} not one whole token ` +
        `of this vocabulary: ${formatNameList(bad.map((w) => JSON.stringify(w)))}`,
      { file: vocab.source, words: bad.slice(0, 20), count: bad.length },
    );
  }
  return ids;
}
