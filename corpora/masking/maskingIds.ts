import { specialIdSet, type Vocab } from '../tokenizer/index.ts';

/** The ids masking needs, with the defaults a vocabulary implies. Spread into variant options. */
export interface MaskingIds {
  readonly maskId: number;
  readonly padId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly vocabSize: number;
  /** Default "special" set: all five specials ([PAD], [UNK], [CLS], [SEP], [MASK]), as HF's all_special_ids. */
  readonly specialIds: ReadonlySet<number>;
}

export function maskingIds(vocab: Vocab): MaskingIds {
  const s = vocab.specials;
  return { maskId: s.mask, padId: s.pad, clsId: s.cls, sepId: s.sep, vocabSize: vocab.size, specialIds: specialIdSet(vocab) };
}
