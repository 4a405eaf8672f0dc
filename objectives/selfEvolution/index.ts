// SE: Self-Evolution learning (spec 1). Stage 1 scores blocks with the frozen model and stores
// the hard positions; stage 2 masks them and trains with token-specific label smoothing.
export { SelfEvolutionError, HardTokenFileError } from './errors.ts';
export { type HardTokenMap, hardPositionsOfRow, mergeHardTokenMaps } from './hardTokenMap.ts';
export { type HardTokenSummary, HardTokenSummaryBuilder } from './hardTokenSummary.ts';
export { type BlockBatch, reconstructionNll } from './reconstructionNll.ts';
export { type SelfQuestioningOptions, type SelfQuestioningResult, selfQuestion } from './selfQuestioning.ts';
export { datasetBlockBatches } from './datasetBlocks.ts';
export { HARD_TOKEN_FORMAT, HARD_TOKEN_VERSION, type HardTokenFileInfo, saveHardTokens, loadHardTokens } from './hardTokenFile.ts';
export { type EvolutionReference, type EvolutionPositions, evolutionTarget, evolutionPositions } from './evolutionTarget.ts';
export {
  type SelfEvolutionOptions, type SelfEvolutionBatch, selfEvolutionObjective, selfEvolutionForward, referenceLogProbs,
} from './selfEvolution.ts';
