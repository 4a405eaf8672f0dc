import { PretextError } from '../util/errors.ts';

/** A bad study definition, run config or study folder; the message names the run, key or file at fault. */
export class StudyError extends PretextError {}
