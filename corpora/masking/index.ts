export { MaskingError } from './errors.ts';
export { IGNORE_INDEX, BERT_REPLACEMENT } from './types.ts';
export type { TokenGrid, MaskedTokens, ReplacementPolicy } from './types.ts';
export { maskingIds } from './maskingIds.ts';
export type { MaskingIds } from './maskingIds.ts';
export { wholeVocabPool, nonSpecialPool } from './replacement.ts';
export {
  roundHalfEven, ceilOfProduct, exactMaskCount, budgetPredictionCount, electraMaskCount, lucidrainsRowLimit, lucidrainsMaxMasked,
} from './counts.ts';
export { bertBernoulli } from './bertBernoulli.ts';
export type { BertBernoulliOptions } from './bertBernoulli.ts';
export { exactCount } from './exactCount.ts';
export type { ExactCountOptions } from './exactCount.ts';
export { budgetBertMask, budgetBertStatic } from './budgetBertStatic.ts';
export type { BudgetBertOptions, BudgetBertStaticOptions } from './budgetBertStatic.ts';
export { electraSelection } from './electraSelection.ts';
export type { ElectraSelectionOptions, ElectraSelection } from './electraSelection.ts';
export { hardTokenMasking } from './hardTokenMasking.ts';
export type { HardTokenOptions } from './hardTokenMasking.ts';
