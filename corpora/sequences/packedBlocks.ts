import { checkSeqLen, type RowBuilder, type SequenceRow, type SequenceSpecials } from './rows.ts';

export interface PackedBlockOptions {
  /** Block length T: every row has exactly T tokens, no padding. */
  readonly seqLen: number;
  readonly specials: Pick<SequenceSpecials, 'cls' | 'sep'>;
  readonly firstBlockId?: number;
}

/**
 * TACO / HF run_mlm `group_texts`: every text becomes `[CLS] t [SEP]`, all of them are
 * concatenated and cut into consecutive blocks of exactly T tokens; the remainder (< T tokens)
 * is dropped at finish. Blocks may start or end mid-text. No padding.
 */
export function packedBlockBuilder(options: PackedBlockOptions): RowBuilder {
  const { seqLen, specials } = options;
  checkSeqLen(seqLen, 1);
  let next = options.firstBlockId ?? 0;
  let block = new Int32Array(seqLen);
  let fill = 0;
  return {
    push(text): SequenceRow[] {
      const out: SequenceRow[] = [];
      const put = (id: number): void => {
        block[fill++] = id;
        if (fill === seqLen) {
          out.push({ blockId: next++, tokens: block });
          block = new Int32Array(seqLen);
          fill = 0;
        }
      };
      put(specials.cls);
      for (let i = 0; i < text.length; i++) put(text[i]!);
      put(specials.sep);
      return out;
    },
    finish(): SequenceRow[] {
      fill = 0; // the remainder is dropped
      return [];
    },
  };
}
