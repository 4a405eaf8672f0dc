import { PretextError } from '../../util/errors.ts';

/** An ELECTRA option is out of range; `context.option` and `context.value` name it. */
export class ElectraOptionError extends PretextError {}
