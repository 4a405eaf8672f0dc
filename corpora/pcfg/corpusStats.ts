import { ChartWorkspace } from './chartWorkspace.ts';
import { isDownstreamLength } from './downstreamTasks.ts';
import type { Grammar } from './grammar.ts';
import { ratioEstimate } from './optimalLoss.ts';
import { sentenceAt, sentenceCount, type SentenceBatch } from './sentenceBatch.ts';
import { labelFromChart, taskClassNames, TASK_NAMES, type TaskName } from './taskLabels.ts';
import { trueConditionals } from './trueConditionals.ts';

/** Label statistics of one downstream task over a sample. */
export interface TaskStats {
  /** Sentences the task was evaluated on: those with 4 < length < 32 (the downstream filter). */
  readonly sentences: number;
  /** Number of distinct labels that occur. */
  readonly classes: number;
  /** Fraction of the most frequent label (the majority-class baseline accuracy). */
  readonly majority: number;
  /** Symbol of the most frequent label (first in class order on ties). */
  readonly majorityLabel: string;
  /** Its class index. */
  readonly majorityClass: number;
  /** Occurrences per symbol, most frequent first. */
  readonly counts: Readonly<Record<string, number>>;
}

/** What `pretext pcfg stats` reports about a grammar from a sample of its sentences. */
export interface CorpusStats {
  readonly sentences: number;
  readonly meanLength: number;
  readonly lengthStdDev: number;
  readonly minLength: number;
  readonly maxLength: number;
  /** Sentences per length. */
  readonly lengthHistogram: Readonly<Record<string, number>>;
  /** Mean ln P(x) per sentence (start prior included). */
  readonly meanLogProb: number;
  readonly zeroProbabilitySentences: number;
  /** Optimal single-mask MLM loss, nats per position, and its standard error. */
  readonly optimalLoss: number;
  readonly optimalLossStdErr: number;
  readonly positions: number;
  /**
   * The same over the sentences with 4 < length < 32 only: the study's loss script scores the
   * downstream CSV's sentences (generate_downstream.py's filter), not all lengths.
   */
  readonly downstreamOptimalLoss: number;
  readonly downstreamOptimalLossStdErr: number;
  readonly downstreamPositions: number;
  /** ln |terminals|: the loss of the uniform distribution over the words. */
  readonly uniformLoss: number;
  /** Fraction of sentences with 4 < length < 32 (usable downstream). */
  readonly downstreamFraction: number;
  readonly tasks: Readonly<Record<TaskName, TaskStats>>;
}

function summariseTask(g: Grammar, task: TaskName, labels: readonly number[]): TaskStats {
  const names = taskClassNames(g, task);
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const ordered = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const top = ordered[0];
  return {
    sentences: labels.length,
    classes: counts.size,
    majority: top ? top[1] / labels.length : NaN,
    majorityLabel: top ? names[top[0]]! : '',
    majorityClass: top ? top[0] : -1,
    counts: Object.fromEntries(ordered.map(([l, c]) => [names[l]!, c])),
  };
}

/**
 * Statistics of a sample in one inside/outside pass per sentence: lengths, ln P(x), the optimal
 * single-mask loss (with its standard error; over all lengths and over the downstream subset), and the label distribution of tasks A, B and C over
 * the sentences that pass the downstream filter.
 */
export function corpusStats(g: Grammar, batch: SentenceBatch): CorpusStats {
  const S = sentenceCount(batch);
  const ws = new ChartWorkspace(g.nonterminals.length);
  const entropySums = new Float64Array(S);
  const positions = new Float64Array(S);
  const histogram = new Map<number, number>();
  const labels: Record<TaskName, number[]> = { A: [], B: [], C: [] };
  const downstreamSums: number[] = [];
  const downstreamPositions: number[] = [];
  let lenSum = 0;
  let lenSq = 0;
  let minLength = Infinity;
  let maxLength = -Infinity;
  let logProbSum = 0;
  let zero = 0;
  let bufs = { pStar: new Float64Array(0), entropy: new Float64Array(0) };
  for (let s = 0; s < S; s++) {
    const sentence = sentenceAt(batch, s);
    const n = sentence.length;
    lenSum += n;
    lenSq += n * n;
    minLength = Math.min(minLength, n);
    maxLength = Math.max(maxLength, n);
    histogram.set(n, (histogram.get(n) ?? 0) + 1);
    if (bufs.entropy.length < n) bufs = { pStar: new Float64Array(2 * n * g.terminals.length), entropy: new Float64Array(2 * n) };
    const cond = trueConditionals(g, sentence, ws, bufs);
    if (Number.isFinite(cond.logProb)) logProbSum += cond.logProb;
    else zero++;
    for (const h of cond.entropy) {
      if (Number.isNaN(h)) continue;
      entropySums[s]! += h;
      positions[s]!++;
    }
    if (isDownstreamLength(n)) {
      for (const task of TASK_NAMES) labels[task].push(labelFromChart(g, cond.inside, task).label);
      downstreamSums.push(entropySums[s]!);
      downstreamPositions.push(positions[s]!);
    }
  }
  const { mean, stdErr } = ratioEstimate(entropySums, positions);
  const downstreamLoss = ratioEstimate(downstreamSums, downstreamPositions);
  const meanLength = S ? lenSum / S : NaN;
  let totalPositions = 0;
  for (const p of positions) totalPositions += p;
  const downstream = labels.A.length;
  return {
    sentences: S,
    meanLength,
    lengthStdDev: S > 1 ? Math.sqrt(Math.max(0, (lenSq - S * meanLength * meanLength) / (S - 1))) : NaN,
    minLength: S ? minLength : NaN,
    maxLength: S ? maxLength : NaN,
    lengthHistogram: Object.fromEntries([...histogram].sort((a, b) => a[0] - b[0]).map(([l, c]) => [String(l), c])),
    meanLogProb: S - zero > 0 ? logProbSum / (S - zero) : NaN,
    zeroProbabilitySentences: zero,
    optimalLoss: mean,
    optimalLossStdErr: stdErr,
    positions: totalPositions,
    downstreamOptimalLoss: downstreamLoss.mean,
    downstreamOptimalLossStdErr: downstreamLoss.stdErr,
    downstreamPositions: downstreamPositions.reduce((a, p) => a + p, 0),
    uniformLoss: Math.log(g.terminals.length),
    downstreamFraction: S ? downstream / S : NaN,
    tasks: { A: summariseTask(g, 'A', labels.A), B: summariseTask(g, 'B', labels.B), C: summariseTask(g, 'C', labels.C) },
  };
}
