import { foldIn, splitKey, type Key } from '../../prng/index.ts';
import { budgetPredictionCount } from './counts.ts';
import { MaskingError } from './errors.ts';
import { candidatePositions, markRandomSubset } from './exactCount.ts';
import { checkId, checkProbability, gridRows, rowKey } from './grid.ts';
import { checkPolicy, replaceSelected, wholeVocabPool } from './replacement.ts';
import { IGNORE_INDEX, type MaskedTokens, type ReplacementPolicy, type TokenGrid } from './types.ts';

export interface BudgetBertOptions {
  /** Default 0.15. */
  readonly maskProb?: number;
  /** Default 5 (the PCFG study). */
  readonly maxPredictions?: number;
  readonly maskId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  /** Random replacements are uniform over [0, vocabSize), the full vocab. */
  readonly vocabSize: number;
}

export interface BudgetBertStaticOptions extends BudgetBertOptions {
  /** Number of independently masked copies (default 5). */
  readonly dupFactor?: number;
}

/** 80% [MASK], then 10% unchanged, then 10% random — the decision order of create_pretraining_data. */
const BUDGET_REPLACEMENT: ReplacementPolicy = { mask: 0.8, random: 0.1, order: 'mask-keep-random' };

/**
 * Academic-budget BERT (create_pretraining_data) masking of one copy: per row, predictions =
 * min(maxPredictions, max(1, round(p·#tokens))) with #tokens the non-pad tokens incl. [CLS]/[SEP]
 * and Python's round (ties to even); candidates exclude [CLS]/[SEP]/[PAD], are shuffled, and the
 * first `predictions` of them (fewer if there are fewer candidates) are selected.
 */
export function budgetBertMask(key: Key, grid: TokenGrid, options: BudgetBertOptions): MaskedTokens {
  const where = 'budgetBertStatic';
  const rows = gridRows(grid, where);
  const { seqLen } = grid;
  const p = options.maskProb ?? 0.15;
  const maxPredictions = options.maxPredictions ?? 5;
  checkProbability(p, 'maskProb', where);
  if (!Number.isInteger(maxPredictions) || maxPredictions < 0) {
    throw new MaskingError(`${where}: maxPredictions must be a non-negative integer, got ${maxPredictions}`, { option: 'maxPredictions', value: maxPredictions });
  }
  for (const o of ['maskId', 'clsId', 'sepId', 'padId'] as const) checkId(options[o], o, where);
  const pool = wholeVocabPool(options.vocabSize);
  checkPolicy(BUDGET_REPLACEMENT, pool, where);
  const exclude = new Set([options.clsId, options.sepId, options.padId]);

  const inputIds = Int32Array.from(grid.inputIds);
  const labels = new Int32Array(inputIds.length).fill(IGNORE_INDEX);
  const selected = new Uint8Array(inputIds.length);
  for (let r = 0; r < rows; r++) {
    const off = r * seqLen;
    const [kPick, kReplace] = splitKey(rowKey(key, grid, r, where), 2);
    let tokens = 0;
    for (let t = 0; t < seqLen; t++) if (grid.inputIds[off + t] !== options.padId) tokens++;
    const candidates = candidatePositions(grid.inputIds, off, seqLen, exclude);
    const num = Math.min(candidates.length, budgetPredictionCount(p, tokens, maxPredictions));
    markRandomSubset(kPick!, candidates, num, selected, off);
    for (let t = 0; t < seqLen; t++) if (selected[off + t]) labels[off + t] = grid.inputIds[off + t]!;
    replaceSelected(kReplace!, inputIds, off, selected, seqLen, BUDGET_REPLACEMENT, pool, options.maskId);
  }
  return { rows, seqLen, inputIds, labels, selected };
}

/**
 * Static masking with dup_factor copies: copy c is budgetBertMask under foldIn(key, c), so the
 * copies are independent and each is reproducible on its own.
 */
export function budgetBertStatic(key: Key, grid: TokenGrid, options: BudgetBertStaticOptions): MaskedTokens[] {
  const dupFactor = options.dupFactor ?? 5;
  if (!Number.isInteger(dupFactor) || dupFactor < 1) {
    throw new MaskingError(`budgetBertStatic: dupFactor must be a positive integer, got ${dupFactor}`, { option: 'dupFactor', value: dupFactor });
  }
  return Array.from({ length: dupFactor }, (_, c) => budgetBertMask(foldIn(key, c), grid, options));
}
