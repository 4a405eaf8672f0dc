import { PretextError } from '../../util/errors.ts';

/** A bad ScTD / token-dropping option or input; context names the option and the value. */
export class SctdError extends PretextError {}
