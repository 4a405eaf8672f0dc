import { GrammarError } from './grammarErrors.ts';

/** The epsilon of the study's loss script: loss = -sum p* ln(q + 1e-12). */
export const Q_EPSILON = 1e-12;

/** p* and q do not have matching n x |terminals| shapes. */
export class ConditionalShapeError extends GrammarError {}

/** Sum of per-position losses over the positions whose loss was finite, and how many were skipped. */
export interface ConditionalLossTotals {
  readonly sum: number;
  readonly positions: number;
  readonly skipped: number;
}

function checkShapes(pStar: ArrayLike<number>, q: ArrayLike<number>, terminalCount: number): number {
  if (!Number.isInteger(terminalCount) || terminalCount < 1) {
    throw new ConditionalShapeError(`terminalCount must be a positive integer, got ${terminalCount}`, { terminalCount });
  }
  if (pStar.length !== q.length || pStar.length % terminalCount !== 0) {
    throw new ConditionalShapeError(
      `p* has ${pStar.length} values and q has ${q.length}; both must be n x ${terminalCount} (position-major)`,
      { pStar: pStar.length, q: q.length, terminalCount },
    );
  }
  return pStar.length / terminalCount;
}

/**
 * Per-position loss of a model's conditionals q the study's way (spec 5b5, calculate_loss.py):
 * loss_i = -sum_v p*(v | x_{-i}) ln(q_i(v) + 1e-12). Both arrays are n x terminalCount,
 * position-major, words in the grammar's terminal order; q is the model's softmax over its full
 * vocabulary restricted to the terminals and NOT renormalised (mass off the terminals is a
 * penalty). Non-finite losses (q holding Infinity, NaN or negative values) are returned as is.
 * Words with p* = 0 contribute nothing, whatever q holds there (numpy would give 0 * inf = NaN).
 */
export function conditionalCrossEntropies(
  pStar: ArrayLike<number>,
  q: Float32Array | Float64Array,
  terminalCount: number,
  out?: Float64Array,
): Float64Array {
  const n = checkShapes(pStar, q, terminalCount);
  const losses = out ? out.subarray(0, n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let l = 0;
    const row = i * terminalCount;
    for (let v = 0; v < terminalCount; v++) {
      const p = pStar[row + v]!;
      if (p !== 0) l -= p * Math.log(q[row + v]! + Q_EPSILON);
    }
    losses[i] = l;
  }
  return losses;
}

/**
 * Scores one sentence's model conditionals: the sum of the finite per-position losses, their
 * count, and the count of skipped non-finite ones (the script skips infinite values; NaN is
 * skipped too). Combine sentences with addLossTotals, then meanConditionalLoss. A model that
 * returns p* exactly scores the optimal loss (the mean entropy) up to |terminals| * 1e-12.
 */
export function scoreModelConditionals(pStar: ArrayLike<number>, q: Float32Array | Float64Array, terminalCount: number): ConditionalLossTotals {
  const losses = conditionalCrossEntropies(pStar, q, terminalCount);
  let sum = 0;
  let positions = 0;
  for (const l of losses) {
    if (Number.isFinite(l)) {
      sum += l;
      positions++;
    }
  }
  return { sum, positions, skipped: losses.length - positions };
}

export const EMPTY_LOSS_TOTALS: ConditionalLossTotals = { sum: 0, positions: 0, skipped: 0 };

export const addLossTotals = (a: ConditionalLossTotals, b: ConditionalLossTotals): ConditionalLossTotals => ({
  sum: a.sum + b.sum,
  positions: a.positions + b.positions,
  skipped: a.skipped + b.skipped,
});

/** Mean loss over all scored (sentence, position) pairs, in nats (NaN when there are none). */
export const meanConditionalLoss = (t: ConditionalLossTotals): number => (t.positions > 0 ? t.sum / t.positions : NaN);
