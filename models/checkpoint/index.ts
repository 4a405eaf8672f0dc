// Checkpoints: safetensors files written and validated here, atomic checkpoint directories,
// Hugging Face BERT names for masked LMs, config.json schema. See README.md.
export * from './errors.ts';
export {
  type SafeDType, type RawTensor, type TensorToWrite, type SafetensorsContents, DTYPE_BYTES, MAX_HEADER_BYTES,
  encodeSafetensors, decodeSafetensors, rawValues,
} from './safetensors.ts';
export { readSafetensors, writeSafetensors, readTreeFile, writeTreeFile, readBytes } from './safetensorsFile.ts';
export { type TreeSection, type LoadedTree, encodeTreeFile, decodeTreeFile } from './treeFile.ts';
export { parsePath, defFromPaths, pathsOfDef } from './treePaths.ts';
export { type HfEntry, type HfBertShape, hfBertEntries, isIgnoredHfName, looksLikeMlmModel } from './hfBert.ts';
export { hostToWrite, rawToHost, transpose2d } from './hostTensors.ts';
export { type LoadSource, loadInto } from './loadInto.ts';
export { mlmModelSpec, type MlmModelSpec } from './mlmSpec.ts';
export {
  CHECKPOINT_FORMAT_VERSION, type PretextSection, type MlmLocation, type VocabRef, type GrammarRef, type ObjectiveInfo, type CheckpointConfigOptions,
  checkpointConfig, decodePretextSection, hfIncompatibility, PretextSectionCodec,
} from './config.ts';
export {
  MODEL_FILE, CONFIG_FILE, OPTIMIZER_FILE, TRAINER_FILE, LATEST_FILE, PARAMS_PREFIX, EXTRA_PREFIX, MLM_VIEW_PREFIX,
  type CheckpointContents, type SaveOptions, type LoadedCheckpoint, type ExpectedTrees, type RunCheckpointOptions,
  saveCheckpoint, loadCheckpoint, saveRunCheckpoint, latestCheckpoint, listCheckpoints, checkpointName, removeStaleTemporaries,
} from './checkpointDir.ts';
export { type LoadedMlmModel, loadMlmModel } from './mlmModel.ts';
export { type CheckpointFile, checkpointFiles } from './checkpointFiles.ts';
export { mlmLocationOf } from './mlmLocation.ts';
export { type HfElectraShape, GENERATOR_NAME_PREFIX, hfElectraEntries } from './hfElectra.ts';
export {
  type ElectraSection, type ElectraCheckpointConfigOptions, ElectraSectionCodec, electraCheckpointConfig, electraHfIncompatibility, decodeElectraSection,
  electraModelOfConfig,
} from './electraConfig.ts';
export {
  type LoadedElectraModel, type ElectraTower, electraParamsSpec, electraOfCheckpoint, loadElectraModel, electraDiscriminator, electraGenerator,
} from './electraModel.ts';
export { type TrainerStateLike, type TrainerCheckpointLike, type RunCheckpointStoreOptions, runCheckpointStore } from './runStore.ts';
