/** TACO (spec 3): the objective and its pure pieces, for compositions. */
export { TacoOptionError, TacoBatchError } from './errors.ts';
export {
  type TacoOptions, type ResolvedTacoOptions, type TokenContrastiveOptions, type ResolvedTokenContrastiveOptions, type TcAnchorSet,
  TC_DEFAULTS, resolveTacoOptions, resolveTokenContrastiveOptions,
} from './options.ts';
export { type TokenLayout, type TcSamples, sampleTcPairs, tcCandidateIndices } from './sampler.ts';
export { type TcBatch, type TacoBatch, tcAnchorMask, tcBatch, tacoBatch } from './batch.ts';
export { type TokenContrastiveLoss, safeL2Normalize, tokenContrastiveLoss } from './contrastiveLoss.ts';
export { globalSemantics } from './globalSemantics.ts';
export { tacoObjective } from './objective.ts';
