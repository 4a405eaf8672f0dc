import { PretextError } from '../../util/errors.ts';

/** A TACO option is out of range; `context.option` and `context.value` name it. */
export class TacoOptionError extends PretextError {}

/** A batch TACO cannot sample from (fewer than two rows with tokens, a mask of the wrong size). */
export class TacoBatchError extends PretextError {}
