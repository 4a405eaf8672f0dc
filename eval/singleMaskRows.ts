import { sentenceAt, sentenceCount, type SentenceBatch } from '../corpora/pcfg/index.ts';
import { EvalError } from './errors.ts';

/** Special ids the single-mask inputs need. */
export interface SingleMaskSpecials {
  readonly cls: number;
  readonly sep: number;
  readonly mask: number;
  readonly pad: number;
}

/**
 * One row per (sentence, position) pair, sentence-major (spec 5b5, calculate_loss.py): the input
 * is `[CLS] w_0 .. w_{n-1} [SEP]` padded to seqLen with [PAD], with position i+1 replaced by
 * [MASK], attention over the n+2 real tokens. Words are token ids (map terminal ids through the
 * vocab first).
 */
export interface SingleMaskRows {
  readonly rows: number;
  readonly seqLen: number;
  /** rows x seqLen */
  readonly inputIds: Int32Array;
  readonly attentionMask: Uint8Array;
  /** Position of [MASK] in each row (= word index + 1). */
  readonly maskedAt: Int32Array;
  /** First row of each sentence (sentences + 1 entries). */
  readonly sentenceOffsets: Int32Array;
}

export function singleMaskRows(tokens: SentenceBatch, specials: SingleMaskSpecials, seqLen: number): SingleMaskRows {
  const S = sentenceCount(tokens);
  const sentenceOffsets = new Int32Array(S + 1);
  for (let s = 0; s < S; s++) {
    const n = sentenceAt(tokens, s).length;
    if (n + 2 > seqLen) {
      throw new EvalError(`sentence ${s} has ${n} words, but [CLS] words [SEP] must fit in seqLen ${seqLen}`, { sentence: s, length: n, seqLen });
    }
    sentenceOffsets[s + 1] = sentenceOffsets[s]! + n;
  }
  const rows = sentenceOffsets[S]!;
  const inputIds = new Int32Array(rows * seqLen).fill(specials.pad);
  const attentionMask = new Uint8Array(rows * seqLen);
  const maskedAt = new Int32Array(rows);
  for (let s = 0; s < S; s++) {
    const words = sentenceAt(tokens, s);
    const n = words.length;
    for (let i = 0; i < n; i++) {
      const row = sentenceOffsets[s]! + i;
      const base = row * seqLen;
      inputIds[base] = specials.cls;
      inputIds.set(words, base + 1);
      inputIds[base + n + 1] = specials.sep;
      inputIds[base + i + 1] = specials.mask;
      attentionMask.fill(1, base, base + n + 2);
      maskedAt[row] = i + 1;
    }
  }
  return { rows, seqLen, inputIds, attentionMask, maskedAt, sentenceOffsets };
}
