import { PretextError } from '../../util/errors.ts';

/** A graph the compiler cannot turn into kernels (an internal invariant failed or an op is unsupported). */
export class CompileError extends PretextError {}
