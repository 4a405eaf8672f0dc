import { PretextError } from '../../util/errors.ts';

/**
 * Errors of checkpoints and safetensors files. Every one names the file and, where one tensor is
 * at fault, the tensor (`context.file`, `context.tensor`), in the message and in the context.
 */
export class CheckpointError extends PretextError {}

/** A safetensors file whose bytes do not follow the format (bad header length, JSON, dtype, offsets...). */
export class SafetensorsFormatError extends CheckpointError {}

/** A safetensors file shorter than its header says (a torn or truncated write). */
export class TruncatedFileError extends CheckpointError {}

/** A tensor the expected structure needs is not in the file. */
export class MissingTensorError extends CheckpointError {}

/** The file holds a tensor the expected structure does not have. */
export class UnexpectedTensorError extends CheckpointError {}

/** A tensor's shape differs from the expected one. */
export class TensorShapeError extends CheckpointError {}

/** A tensor's dtype differs from the expected one, or cannot be represented. */
export class TensorDTypeError extends CheckpointError {}

/** A tree path that cannot be stored as a tensor name, or a name that is not a tree path. */
export class TensorNameError extends CheckpointError {}

/** config.json / trainer.json missing, not JSON, or failing their schema (names file and field). */
export class CheckpointConfigError extends CheckpointError {}

/** No checkpoint where one was asked for (missing directory or file). */
export class CheckpointNotFoundError extends CheckpointError {}

/** A model (e.g. a transformers config.json) whose settings pretext cannot compute faithfully; names the field and the value. */
export class UnsupportedModelError extends CheckpointConfigError {}
