import { SequenceTooLongError } from './errors.ts';
import { checkSeqLen, type RowBuilder, type SequenceRow, type SequenceSpecials } from './rows.ts';

export interface SentenceInstanceOptions {
  /** Padded length T; a sentence of n tokens needs n + 2 <= T. */
  readonly seqLen: number;
  readonly specials: Pick<SequenceSpecials, 'cls' | 'sep'>;
  /** 'error' (default): a sentence that does not fit throws; 'truncate': keep its first T - 2 tokens. */
  readonly overflow?: 'error' | 'truncate';
  /** Id of the first instance (default 0); ids count up by one per sentence. */
  readonly firstBlockId?: number;
}

/**
 * Sentence-per-instance sequences `[CLS] w1..wn [SEP]` (the PCFG study; padding happens in
 * rowsToBatch). Every pushed sentence gives exactly one row, id = firstBlockId + its index.
 */
export function sentenceInstanceBuilder(options: SentenceInstanceOptions): RowBuilder {
  const { seqLen, specials } = options;
  checkSeqLen(seqLen, 2);
  let next = options.firstBlockId ?? 0;
  return {
    push(sentence): SequenceRow[] {
      const index = next++;
      let n = sentence.length;
      if (n + 2 > seqLen) {
        if (options.overflow !== 'truncate') {
          throw new SequenceTooLongError(
            `sentence ${index} has ${n} tokens; with [CLS]/[SEP] that is ${n + 2} > seqLen ${seqLen} (raise seqLen or use overflow 'truncate')`,
            { sentence: index, length: n, seqLen },
          );
        }
        n = seqLen - 2;
      }
      const tokens = new Int32Array(n + 2);
      tokens[0] = specials.cls;
      for (let i = 0; i < n; i++) tokens[i + 1] = sentence[i]!;
      tokens[n + 1] = specials.sep;
      return [{ blockId: index, tokens }];
    },
    finish: () => [],
  };
}
