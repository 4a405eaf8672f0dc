import { ChartWorkspace } from './chartWorkspace.ts';
import type { Grammar } from './grammar.ts';
import { sentenceAt, sentenceCount, type SentenceBatch } from './sentenceBatch.ts';
import { trueConditionals } from './trueConditionals.ts';

/** The optimal single-mask MLM loss of a sample, in nats per position (spec 5b5). */
export interface OptimalLossEstimate {
  /** Mean over (sentence, position) pairs of H(p*(. | x_{-i})). */
  readonly loss: number;
  /**
   * Standard error of `loss` as an estimate of the grammar's optimal loss: positions of one
   * sentence are correlated, so it is the ratio estimator's (sum H_s / sum n_s) delta-method
   * error over sentences.
   */
  readonly stdErr: number;
  readonly positions: number;
  readonly sentences: number;
  /** Positions left out because their context is impossible (zero-probability sentences only). */
  readonly skippedPositions: number;
}

/** Ratio-of-means estimate and its delta-method standard error, from per-sentence (sum H, n) pairs. */
export function ratioEstimate(numerators: ArrayLike<number>, denominators: ArrayLike<number>): { mean: number; stdErr: number } {
  const S = numerators.length;
  let a = 0;
  let b = 0;
  for (let s = 0; s < S; s++) {
    a += numerators[s]!;
    b += denominators[s]!;
  }
  const mean = b > 0 ? a / b : NaN;
  if (S < 2 || !(b > 0)) return { mean, stdErr: NaN };
  let ss = 0;
  for (let s = 0; s < S; s++) {
    const d = numerators[s]! - mean * denominators[s]!;
    ss += d * d;
  }
  const meanDen = b / S;
  return { mean, stdErr: Math.sqrt(ss / (S - 1) / S) / meanDen };
}

/** The optimal single-mask loss over the sentences of a batch (one inside/outside pass each). */
export function optimalSingleMaskLoss(g: Grammar, batch: SentenceBatch, ws?: ChartWorkspace): OptimalLossEstimate {
  const S = sentenceCount(batch);
  const w = ws ?? new ChartWorkspace(g.nonterminals.length);
  const sums = new Float64Array(S);
  const counts = new Float64Array(S);
  let skipped = 0;
  let bufs = { pStar: new Float64Array(0), entropy: new Float64Array(0) };
  for (let s = 0; s < S; s++) {
    const sentence = sentenceAt(batch, s);
    if (bufs.entropy.length < sentence.length) {
      bufs = { pStar: new Float64Array(sentence.length * 2 * g.terminals.length), entropy: new Float64Array(sentence.length * 2) };
    }
    const { entropy } = trueConditionals(g, sentence, w, bufs);
    for (const h of entropy) {
      if (Number.isNaN(h)) skipped++;
      else {
        sums[s]! += h;
        counts[s]!++;
      }
    }
  }
  const { mean, stdErr } = ratioEstimate(sums, counts);
  let positions = 0;
  for (const c of counts) positions += c;
  return { loss: mean, stdErr, positions, sentences: S, skippedPositions: skipped };
}
