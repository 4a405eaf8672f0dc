import { memorySplit, type DatasetSplit, type RowData } from '../../corpora/dataset/index.ts';
import { SPLIT_STREAMS, generateGrammar, pcfgSentenceRows, sampleSentences, terminalTokenIds, type Grammar, type SentenceBatch } from '../../corpora/pcfg/index.ts';
import { buildWordLevelVocab } from '../../corpora/tokenizer/wordLevelVocab.ts';
import type { Vocab } from '../../corpora/tokenizer/vocab.ts';
import { foldIn, key } from '../../prng/key.ts';
import type { WebSettings } from './settings.ts';

/** Held-out sentences the page scores the excess loss on (few: it is recomputed while training). */
export const EXCESS_SENTENCES = 24;

/** A PCFG corpus generated in memory: the rows `pretext pcfg generate --grammar-seed G --seed S` writes. */
export interface WebCorpus {
  readonly grammar: Grammar;
  readonly vocab: Vocab;
  readonly tokenOfTerminal: Int32Array;
  readonly train: DatasetSplit;
  /** Validation sentences (terminal ids) for the excess loss against the true conditionals. */
  readonly held: SentenceBatch;
}

export function webCorpus(s: Pick<WebSettings, 'grammarSeed' | 'seed' | 'sentences' | 'seqLen'>): WebCorpus {
  const grammar = generateGrammar(key(s.grammarSeed));
  const vocab = buildWordLevelVocab(grammar.terminals, {}, `generated grammar (seed ${s.grammarSeed}): grammar words`);
  const tokenOfTerminal = terminalTokenIds(grammar, vocab);
  const root = key(s.seed);
  const rows = pcfgSentenceRows(grammar, tokenOfTerminal, vocab.specials, foldIn(root, SPLIT_STREAMS.train), 0, s.sentences, s.seqLen);
  const held = sampleSentences(grammar, foldIn(root, SPLIT_STREAMS.valid), EXCESS_SENTENCES, { maxLength: s.seqLen - 2 });
  const { inputIds, attentionMask, lengths, blockIds } = rows; // the fields pcfg generate's shards hold
  return { grammar, vocab, tokenOfTerminal, train: memorySplit('train', { rows: rows.rows, fields: { inputIds, attentionMask, lengths, blockIds } as RowData['fields'] }), held };
}
