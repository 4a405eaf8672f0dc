/** ELECTRA (spec 4): the objective and its pure pieces, for compositions. */
export { ElectraOptionError } from './errors.ts';
export { type ElectraOptions, type ResolvedElectraOptions, ELECTRA_DEFAULTS, resolveElectraOptions, electraOptionsJson } from './options.ts';
export { type ElectraBatch, electraBatch } from './batch.ts';
export { sampleReplacements, replacedTokenInputs } from './replacedTokens.ts';
export { generatorMlmLoss } from './generatorLoss.ts';
export { replacedTokenDetectionLoss, replacedTokenPredictions, discriminatorAccuracy } from './discriminatorLoss.ts';
export { type ElectraForward, ELECTRA_KEY_STREAMS, electraForward, electraLoss } from './forward.ts';
export { electraObjective, electraGeneratorView, prepareElectra } from './objective.ts';
export {
  type ElectraModelConfig, type ElectraModelOptions, type ElectraParams, ElectraConfigError, electraModelConfig, initElectra,
} from '../../models/electra.ts';
