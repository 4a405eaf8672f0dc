import { basicTokenize, type BasicTokenizerOptions } from './basicTokenizer.ts';
import { SPECIAL_TOKENS } from './specialTokens.ts';
import type { Vocab } from './vocab.ts';
import { specialIdSet } from './vocab.ts';
import { wordpieceSplit } from './wordpiece.ts';

export interface WordPieceOptions extends BasicTokenizerOptions {
  /** Words longer than this (in code points) become [UNK] (default 100, as BERT). */
  readonly maxCharsPerWord?: number;
  /** Prefix of word-continuation pieces (default "##"). */
  readonly continuationPrefix?: string;
}

export interface DecodeOptions {
  /** Drop special tokens ([PAD], [CLS], ...) from the output (default false). */
  readonly skipSpecials?: boolean;
}

/** A BERT-style WordPiece tokenizer over a fixed vocabulary. */
export interface WordPieceTokenizer {
  readonly vocab: Vocab;
  readonly options: Required<Pick<WordPieceOptions, 'maxCharsPerWord' | 'continuationPrefix' | 'lowercase' | 'stripAccents' | 'splitCjk'>>;
  /** Token strings of a text (no [CLS]/[SEP] added). Special-token strings in the text are kept whole. */
  tokenize(text: string): string[];
  /** Token ids of a text (no [CLS]/[SEP] added). */
  encode(text: string): Int32Array;
  /** Text of ids: pieces joined by spaces, `##` continuations glued to the previous piece. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const CACHE_LIMIT = 1 << 16;

export function createWordPieceTokenizer(vocab: Vocab, options: WordPieceOptions = {}): WordPieceTokenizer {
  const lowercase = options.lowercase ?? true;
  const resolved = {
    lowercase,
    stripAccents: options.stripAccents ?? lowercase,
    splitCjk: options.splitCjk ?? true,
    maxCharsPerWord: options.maxCharsPerWord ?? 100,
    continuationPrefix: options.continuationPrefix ?? '##',
  };
  const has = (t: string): boolean => vocab.idOf(t) !== undefined;
  const split = { maxCharsPerWord: resolved.maxCharsPerWord, continuationPrefix: resolved.continuationPrefix, unkToken: SPECIAL_TOKENS.unk };
  // Special-token strings in the input are tokens of their own, never lowercased or split.
  const specialPattern = new RegExp(`(${Object.values(SPECIAL_TOKENS).map(escapeRegExp).join('|')})`, 'u');
  const specialTokens = new Set<string>(Object.values(SPECIAL_TOKENS));
  const specialIds = specialIdSet(vocab);
  // Word -> pieces cache: corpora repeat words a lot. Cleared when full to bound memory.
  const cache = new Map<string, string[]>();

  const piecesOf = (word: string): string[] => {
    let pieces = cache.get(word);
    if (!pieces) {
      pieces = wordpieceSplit(word, has, split);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(word, pieces);
    }
    return pieces;
  };

  const tokenize = (text: string): string[] => {
    const out: string[] = [];
    for (const part of text.split(specialPattern)) {
      if (specialTokens.has(part)) out.push(part);
      else for (const word of basicTokenize(part, resolved)) for (const p of piecesOf(word)) out.push(p);
    }
    return out;
  };

  const encode = (text: string): Int32Array => Int32Array.from(tokenize(text), (t) => vocab.idOf(t)!);

  const decode = (ids: ArrayLike<number>, decodeOptions: DecodeOptions = {}): string => {
    const words: string[] = [];
    const prefix = resolved.continuationPrefix;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (decodeOptions.skipSpecials && specialIds.has(id)) continue;
      const tok = vocab.tokenOf(id);
      if (tok.startsWith(prefix) && tok.length > prefix.length && words.length > 0) words[words.length - 1] += tok.slice(prefix.length);
      else words.push(tok);
    }
    return words.join(' ');
  };

  return { vocab, options: resolved, tokenize, encode, decode };
}
