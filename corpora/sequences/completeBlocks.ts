import { SequenceTooLongError } from './errors.ts';
import { checkSeqLen, type RowBuilder, type SequenceRow, type SequenceSpecials } from './rows.ts';

export interface CompleteBlockOptions {
  /** Row length T (fairseq tokens_per_sample): blocks hold at most T - 1 tokens, then `<s>`/[CLS] is prepended. */
  readonly seqLen: number;
  /** cls plays fairseq's `<s>` (bos), sep its `</s>` (eos). */
  readonly specials: Pick<SequenceSpecials, 'cls' | 'sep'>;
  /** Append [SEP] to every sentence, like fairseq's binarised lines end with `</s>` (default true). */
  readonly appendSep?: boolean;
  /**
   * A sentence longer than T - 1 tokens: 'split' (default) cuts it into consecutive blocks of T - 1;
   * 'truncate' keeps its first T - 1 tokens; 'error' throws. (fairseq would emit one oversized block.)
   */
  readonly overlong?: 'split' | 'truncate' | 'error';
  readonly firstBlockId?: number;
}

/**
 * fairseq `--sample-break-mode complete` + PrependTokenDataset: sentences are packed whole, in
 * order, into blocks of at most T - 1 tokens (a sentence that does not fit closes the block), and
 * `<s>` is prepended. Block ids count up from firstBlockId in stream order, so rebuilding from the
 * same sentences and T gives the same ids (SE stores hard positions per block id).
 */
export function completeBlockBuilder(options: CompleteBlockOptions): RowBuilder {
  const { seqLen, specials } = options;
  checkSeqLen(seqLen, 2);
  const capacity = seqLen - 1;
  const appendSep = options.appendSep ?? true;
  let next = options.firstBlockId ?? 0;
  let sentenceIndex = 0;
  let parts: ArrayLike<number>[] = [];
  let size = 0;

  const close = (): SequenceRow[] => {
    if (size === 0) return [];
    const tokens = new Int32Array(size + 1);
    tokens[0] = specials.cls;
    let at = 1;
    for (const p of parts) {
      tokens.set(p, at);
      at += p.length;
    }
    parts = [];
    size = 0;
    return [{ blockId: next++, tokens }];
  };

  return {
    push(text): SequenceRow[] {
      const index = sentenceIndex++;
      let sentence: Int32Array = Int32Array.from(text as ArrayLike<number>);
      if (appendSep) {
        const withSep = new Int32Array(sentence.length + 1);
        withSep.set(sentence);
        withSep[sentence.length] = specials.sep;
        sentence = withSep;
      }
      if (sentence.length === 0) return [];
      const out: SequenceRow[] = [];
      if (sentence.length > capacity) {
        const policy = options.overlong ?? 'split';
        if (policy === 'error') {
          throw new SequenceTooLongError(`sentence ${index} has ${sentence.length} tokens, more than a block's ${capacity} (seqLen ${seqLen} - 1)`, {
            sentence: index,
            length: sentence.length,
            seqLen,
          });
        }
        out.push(...close());
        if (policy === 'truncate') sentence = sentence.subarray(0, capacity);
        for (let at = 0; at < sentence.length; at += capacity) {
          parts = [sentence.subarray(at, Math.min(at + capacity, sentence.length))];
          size = parts[0]!.length;
          out.push(...close());
        }
        return out;
      }
      if (size + sentence.length > capacity) out.push(...close());
      parts.push(sentence);
      size += sentence.length;
      return out;
    },
    finish: close,
  };
}
