import { bernoulli, splitKey, type Key } from '../../prng/index.ts';
import { checkId, checkProbability, gridRows, rowKey, toIdSet } from './grid.ts';
import { checkPolicy, replaceSelected, wholeVocabPool } from './replacement.ts';
import { BERT_REPLACEMENT, IGNORE_INDEX, type MaskedTokens, type ReplacementPolicy, type TokenGrid } from './types.ts';

export interface BertBernoulliOptions {
  /** Selection probability per eligible token (default 0.15). */
  readonly maskProb?: number;
  readonly maskId: number;
  /** Random replacements are uniform over ids [0, vocabSize), specials included (HF). */
  readonly vocabSize: number;
  /** Never selected (HF special_tokens_mask); pad must be in it when rows are padded. */
  readonly specialIds: Iterable<number>;
  readonly replacement?: ReplacementPolicy;
}

/**
 * HF DataCollatorForLanguageModeling (TACO): every non-special token is selected independently
 * with probability maskProb; selected tokens get 80% [MASK] / 10% random id over the whole vocab
 * / 10% unchanged. The number selected per row varies.
 */
export function bertBernoulli(key: Key, grid: TokenGrid, options: BertBernoulliOptions): MaskedTokens {
  const where = 'bertBernoulli';
  const rows = gridRows(grid, where);
  const { seqLen } = grid;
  const p = options.maskProb ?? 0.15;
  checkProbability(p, 'maskProb', where);
  checkId(options.maskId, 'maskId', where);
  const special = toIdSet(options.specialIds);
  const policy = options.replacement ?? BERT_REPLACEMENT;
  const pool = wholeVocabPool(options.vocabSize);
  checkPolicy(policy, pool, where);

  const inputIds = Int32Array.from(grid.inputIds);
  const labels = new Int32Array(inputIds.length).fill(IGNORE_INDEX);
  const selected = new Uint8Array(inputIds.length);
  for (let r = 0; r < rows; r++) {
    const [kSelect, kReplace] = splitKey(rowKey(key, grid, r, where), 2);
    const draw = bernoulli(kSelect!, p, seqLen);
    const off = r * seqLen;
    for (let t = 0; t < seqLen; t++) {
      const id = grid.inputIds[off + t]!;
      if (draw[t] && !special.has(id)) {
        selected[off + t] = 1;
        labels[off + t] = id;
      }
    }
    replaceSelected(kReplace!, inputIds, off, selected, seqLen, policy, pool, options.maskId);
  }
  return { rows, seqLen, inputIds, labels, selected };
}
