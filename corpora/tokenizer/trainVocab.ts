import { basicTokenize, type BasicTokenizerOptions } from './basicTokenizer.ts';
import { BinaryHeap } from './binaryHeap.ts';
import { VocabTrainingError } from './errors.ts';
import { SPECIAL_ROLES, SPECIAL_TOKENS } from './specialTokens.ts';
import { createVocab, type Vocab } from './vocab.ts';

/**
 * WordPiece vocabulary training, BPE-style (what HF's WordPiece trainer does too):
 *
 * 1. Count the basic tokens ("words") of the corpus.
 * 2. Alphabet: every character seen in word-initial form `c` and in continuation form `##c`,
 *    kept when it occurs at least `minFrequency` times (weighted by word count). Words holding a
 *    dropped character, or longer than maxCharsPerWord, take no part in merging (WordPiece maps
 *    them to [UNK] anyway).
 * 3. Repeatedly merge the adjacent symbol pair with the highest corpus frequency into one symbol
 *    (`ab` + `##c` -> `abc`, `##b` + `##c` -> `##bc`) until the vocabulary reaches `vocabSize`
 *    or no pair occurs `minFrequency` times. Ties go to the pair whose (left, right) strings sort
 *    first (code-unit order), so the result depends only on the word counts: it is deterministic
 *    and independent of the order of the corpus.
 *
 * Vocabulary order: the five specials ([PAD] = 0, [UNK], [CLS], [SEP], [MASK]), the alphabet
 * (initial forms, then continuation forms, each sorted), then merged tokens in merge order.
 */
export interface TrainVocabOptions extends BasicTokenizerOptions {
  /** Target vocabulary size, specials included. */
  readonly vocabSize: number;
  /** Least corpus frequency of an alphabet character or a merged pair (default 2). */
  readonly minFrequency?: number;
  readonly continuationPrefix?: string;
  readonly maxCharsPerWord?: number;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Counts the basic tokens of a stream of texts (sentences, lines...). */
export async function countWords(
  texts: Iterable<string> | AsyncIterable<string>,
  options: BasicTokenizerOptions = {},
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const text of texts) for (const w of basicTokenize(text, options)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** Trains a vocabulary from word counts (pure and synchronous; see the module comment). */
export function trainVocabFromWordCounts(wordCounts: ReadonlyMap<string, number>, options: TrainVocabOptions): Vocab {
  const minFrequency = options.minFrequency ?? 2;
  const prefix = options.continuationPrefix ?? '##';
  const maxChars = options.maxCharsPerWord ?? 100;
  const { vocabSize } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < SPECIAL_ROLES.length) {
    throw new VocabTrainingError(`vocabSize must be an integer >= ${SPECIAL_ROLES.length}, got ${vocabSize}`, { vocabSize });
  }
  if (!Number.isInteger(minFrequency) || minFrequency < 1) {
    throw new VocabTrainingError(`minFrequency must be a positive integer, got ${minFrequency}`, { minFrequency });
  }
  const specials = SPECIAL_ROLES.map((r) => SPECIAL_TOKENS[r] as string);

  // Words in sorted order so nothing depends on the order the corpus was read in.
  const words = [...wordCounts.keys()].filter((w) => w !== '').sort(byCodeUnits).map((w) => ({ chars: Array.from(w), count: wordCounts.get(w)! }));
  const symbolCount = new Map<string, number>();
  for (const { chars, count } of words) {
    if (chars.length > maxChars) continue;
    chars.forEach((c, i) => {
      const s = i === 0 ? c : prefix + c;
      symbolCount.set(s, (symbolCount.get(s) ?? 0) + count);
    });
  }
  const isSpecial = new Set(specials);
  const alphabet = [...symbolCount]
    .filter(([s, n]) => n >= minFrequency && !isSpecial.has(s))
    .map(([s]) => s)
    .sort((a, b) => Number(a.startsWith(prefix)) - Number(b.startsWith(prefix)) || byCodeUnits(a, b));
  if (specials.length + alphabet.length > vocabSize) {
    throw new VocabTrainingError(
      `vocabSize ${vocabSize} is smaller than the ${specials.length} specials + ${alphabet.length} alphabet symbols; ` +
        `raise vocabSize to at least ${specials.length + alphabet.length} or raise minFrequency`,
      { vocabSize, needed: specials.length + alphabet.length },
    );
  }

  // Symbols as integers; every word as a mutable array of symbol ids.
  const symbols: string[] = [...alphabet];
  const symbolId = new Map<string, number>(symbols.map((s, i) => [s, i]));
  const vocabTokens: string[] = [...specials, ...alphabet];
  const inVocab = new Set(vocabTokens);
  const seqs: number[][] = [];
  const freqs: number[] = [];
  for (const { chars, count } of words) {
    if (chars.length > maxChars) continue;
    const ids = chars.map((c, i) => symbolId.get(i === 0 ? c : prefix + c));
    if (ids.some((id) => id === undefined)) continue;
    seqs.push(ids as number[]);
    freqs.push(count);
  }

  const maxSymbols = vocabSize + alphabet.length + 1;
  const pairKey = (a: number, b: number): number => a * maxSymbols + b;
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const adjustWord = (w: number, sign: 1 | -1, touched: Set<number>): void => {
    const seq = seqs[w]!;
    for (let i = 0; i + 1 < seq.length; i++) {
      const k = pairKey(seq[i]!, seq[i + 1]!);
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * freqs[w]!);
      touched.add(k);
      if (sign > 0) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(w);
      } else pairWords.get(k)?.delete(w);
    }
  };

  interface Candidate {
    readonly key: number;
    readonly count: number;
    readonly left: string;
    readonly right: string;
  }
  const heap = new BinaryHeap<Candidate>((a, b) => a.count > b.count || (a.count === b.count && (byCodeUnits(a.left, b.left) || byCodeUnits(a.right, b.right)) < 0));
  const pushPair = (k: number): void => {
    const count = pairCount.get(k) ?? 0;
    if (count >= minFrequency) heap.push({ key: k, count, left: symbols[Math.floor(k / maxSymbols)]!, right: symbols[k % maxSymbols]! });
  };

  const initial = new Set<number>();
  seqs.forEach((_, w) => adjustWord(w, 1, initial));
  initial.forEach(pushPair);

  while (vocabTokens.length < vocabSize) {
    const best = heap.pop();
    if (!best) break;
    if (pairCount.get(best.key) !== best.count) continue; // stale entry
    const a = Math.floor(best.key / maxSymbols);
    const b = best.key % maxSymbols;
    const merged = best.left + best.right.slice(prefix.length);
    let m = symbolId.get(merged);
    if (m === undefined) {
      m = symbols.length;
      symbols.push(merged);
      symbolId.set(merged, m);
    }
    if (!inVocab.has(merged)) {
      inVocab.add(merged);
      vocabTokens.push(merged);
    }
    const touched = new Set<number>();
    for (const w of [...(pairWords.get(best.key) ?? [])]) {
      adjustWord(w, -1, touched);
      const seq = seqs[w]!;
      const next: number[] = [];
      for (let i = 0; i < seq.length; i++) {
        if (i + 1 < seq.length && seq[i] === a && seq[i + 1] === b) {
          next.push(m);
          i++;
        } else next.push(seq[i]!);
      }
      seqs[w] = next;
      adjustWord(w, 1, touched);
    }
    touched.forEach((k) => {
      if ((pairCount.get(k) ?? 0) <= 0) {
        pairCount.delete(k);
        pairWords.delete(k);
      } else pushPair(k);
    });
  }
  return createVocab(vocabTokens, `<trained vocab, size ${vocabTokens.length}>`);
}

/** Counts the words of `texts` and trains a vocabulary from them. */
export async function trainWordPieceVocab(texts: Iterable<string> | AsyncIterable<string>, options: TrainVocabOptions): Promise<Vocab> {
  return trainVocabFromWordCounts(await countWords(texts, options), options);
}
