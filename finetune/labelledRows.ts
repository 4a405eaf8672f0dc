import { sentenceAt, sentenceCount, type SentenceBatch } from '../corpora/pcfg/sentenceBatch.ts';
import { DownstreamError } from './errors.ts';

/**
 * Labelled texts as padded model rows, what the linear probe and fine-tuning both consume:
 * `[CLS] a.. [SEP] [PAD]..` (one text) or `[CLS] a.. [SEP] b.. [SEP] [PAD]..` (a pair), seqLen long.
 */
export interface LabelledRows {
  readonly rows: number;
  readonly seqLen: number;
  /** rows x seqLen token ids. */
  readonly inputIds: Int32Array;
  /** rows x seqLen, 1 for real tokens. */
  readonly attentionMask: Uint8Array;
  /** rows x seqLen segment ids: 0 for [CLS], the first text and its [SEP]; 1 for the second text and its [SEP]. */
  readonly tokenTypes: Int32Array;
  /** A class index per row (classification) or a target value (regression). */
  readonly labels: Int32Array | Float32Array;
  /** Rows whose text (or pair) was cut to fit seqLen. */
  readonly truncated: number;
}

export interface RowSpecials {
  readonly cls: number;
  readonly sep: number;
  readonly pad: number;
}

/**
 * Cuts a pair to `budget` tokens like Hugging Face tokenizers' 'longest_first': one token at a
 * time from the end of the longer text (of the second on a tie).
 */
function pairLengths(a: number, b: number, budget: number): [number, number] {
  while (a + b > budget) {
    if (a > b) a--;
    else b--;
  }
  return [a, b];
}

/**
 * Rows from token ids of texts (`second`: the other text of each pair) and their labels. Texts
 * longer than seqLen allows are truncated (counted in `truncated`), as a tokenizer with
 * truncation does.
 */
export function labelledRows(
  texts: { readonly first: SentenceBatch; readonly second?: SentenceBatch },
  labels: Int32Array | Float32Array,
  specials: RowSpecials,
  seqLen: number,
): LabelledRows {
  const rows = sentenceCount(texts.first);
  const pair = texts.second !== undefined;
  if (labels.length !== rows) throw new DownstreamError(`labelledRows: ${labels.length} labels for ${rows} texts`, { labels: labels.length, rows });
  if (pair && sentenceCount(texts.second!) !== rows) throw new DownstreamError(`labelledRows: ${rows} first texts but ${sentenceCount(texts.second!)} second texts`, { rows });
  const specialCount = pair ? 3 : 2;
  if (!Number.isInteger(seqLen) || seqLen < specialCount + 1) throw new DownstreamError(`labelledRows: seqLen must be at least ${specialCount + 1}, got ${seqLen}`, { seqLen });
  const inputIds = new Int32Array(rows * seqLen).fill(specials.pad);
  const attentionMask = new Uint8Array(rows * seqLen);
  const tokenTypes = new Int32Array(rows * seqLen);
  let truncated = 0;
  for (let r = 0; r < rows; r++) {
    const a = sentenceAt(texts.first, r);
    const b = pair ? sentenceAt(texts.second!, r) : a.subarray(0, 0);
    const [na, nb] = pairLengths(a.length, b.length, seqLen - specialCount);
    if (na < a.length || nb < b.length) truncated++;
    const base = r * seqLen;
    inputIds[base] = specials.cls;
    inputIds.set(a.subarray(0, na), base + 1);
    inputIds[base + na + 1] = specials.sep;
    if (pair) {
      inputIds.set(b.subarray(0, nb), base + na + 2);
      inputIds[base + na + nb + 2] = specials.sep;
      tokenTypes.fill(1, base + na + 2, base + na + nb + 3);
    }
    attentionMask.fill(1, base, base + na + nb + specialCount);
  }
  return { rows, seqLen, inputIds, attentionMask, tokenTypes, labels, truncated };
}
