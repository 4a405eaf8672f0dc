import { PretextError } from '../../util/errors.ts';

/** The study queue cannot work: a bad or unreachable Redis URL, or a study folder a worker cannot see. */
export class QueueError extends PretextError {}
