import { PretextError } from '../../util/errors.ts';

/** Bad sequence-building options or input; context names the option or the offending sentence. */
export class SequenceError extends PretextError {}

/** A sentence does not fit the sequence length and the overflow policy is 'error'. */
export class SequenceTooLongError extends SequenceError {}
