import { PretextError } from '../../util/errors.ts';

/** A bad Self-Evolution option or input; context names the option and the value. */
export class SelfEvolutionError extends PretextError {}

/** A hard-token file that cannot be read or decoded; context names the file and the field. */
export class HardTokenFileError extends PretextError {}
