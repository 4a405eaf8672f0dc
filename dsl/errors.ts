import { PretextError } from '../util/errors.ts';
import { callSite } from './site.ts';

/**
 * A named-axis error found while tracing: wrong or duplicate axis name, sizes that disagree, wrong
 * dtype. The message names the op, the axes and sizes involved and the caller's source line.
 */
export class TraceError extends PretextError {
  constructor(op: string, problem: string, context: Record<string, unknown> = {}) {
    const site = callSite();
    super(`${op}: ${problem}${site ? `\n    at ${site}` : ''}`, { op, site, ...context });
  }
}
export class AxisError extends TraceError {}
export class SizeMismatchError extends TraceError {}
export class DTypeMismatchError extends TraceError {}

/** "[batch=32, seq=64, hidden=128]" */
export const describeAxes = (axes: readonly string[], shape: readonly number[]): string =>
  `[${axes.map((a, i) => `${a}=${shape[i]}`).join(', ')}]`;
