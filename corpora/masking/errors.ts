import { PretextError } from '../../util/errors.ts';

/** Bad masking options or input; context names the option (and row / position) at fault. */
export class MaskingError extends PretextError {}
