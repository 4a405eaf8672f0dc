import { ChartWorkspace } from './chartWorkspace.ts';
import type { Grammar } from './grammar.ts';
import { GrammarError } from './grammarErrors.ts';
import { cellIndex, insideChart, insideScaledValue, type InsideChart } from './insideChart.ts';
import { compareStrings } from './symbolOrder.ts';

/** The downstream tasks of spec 5b4. */
export type TaskName = 'A' | 'B' | 'C';
export const TASK_NAMES: readonly TaskName[] = ['A', 'B', 'C'];

/** Words a task's span covers: A the whole sentence, B the first 4, C the first 2. */
export const TASK_SPAN: Readonly<Record<'B' | 'C', number>> = { B: 4, C: 2 };

/** The sentence is too short for the task's span. */
export class TaskSpanError extends GrammarError {}

export interface TaskLabel {
  /** The class index written to the CSV. */
  readonly label: number;
  /** The winning nonterminal's name. */
  readonly symbol: string;
  /** The winning nonterminal's id. */
  readonly nonterminal: number;
}

interface TaskClasses {
  readonly A: string[];
  readonly BC: string[];
  /** Task A candidates (start children) in nonterminal order; candidate k has label k. */
  readonly aCandidates: number[];
  /** B/C label of each nonterminal id. */
  readonly bcLabel: Int32Array;
}

const classCache = new WeakMap<Grammar, TaskClasses>();

function taskClasses(g: Grammar): TaskClasses {
  let c = classCache.get(g);
  if (!c) {
    const aCandidates = [...new Set(g.startChildren)].sort((a, b) => a - b);
    const BC = [g.start, ...g.nonterminals].sort(compareStrings);
    c = {
      A: aCandidates.map((x) => g.nonterminals[x]!),
      BC,
      aCandidates,
      bcLabel: Int32Array.from(g.nonterminals, (s) => BC.indexOf(s)),
    };
    classCache.set(g, c);
  }
  return c;
}

/**
 * Class names by label index. A: the start rules' children in nonterminal order (S1..S9, so
 * S_k -> k-1). B and C: every left-hand side, start symbol included, string-sorted (50 classes
 * for the study's grammar: A1_0..A4_9, S, S1..S9; 'S' at 40 never wins).
 */
export function taskClassNames(g: Grammar, task: TaskName): readonly string[] {
  const c = taskClasses(g);
  return task === 'A' ? c.A : c.BC;
}

/** First maximum over candidates (in the given order) of the scaled inside values of one cell. */
function firstArgmax(chart: InsideChart, c: number, candidates: Iterable<number>): number {
  let best = -1;
  let bestValue = -1;
  for (const x of candidates) {
    const v = insideScaledValue(chart, c, x);
    if (v > bestValue) {
      bestValue = v;
      best = x;
    }
  }
  return best;
}

/**
 * The label of one task from an inside chart of the sentence or of a prefix of it (spec 5b4):
 * - A: argmax over the start children S_k of beta(S_k, 0, n) — the prior P(S -> S_k) is NOT applied;
 * - B / C: argmax over all nonterminals of beta(X, 0, 4) / beta(X, 0, 2).
 * Ties and all-zero cells go to the first candidate in nonterminal order (S1..S9, A1_0..A4_9),
 * so an all-zero span gives S1. Values in one cell share one scale, so comparing scaled values
 * compares the inside probabilities.
 */
export function labelFromChart(g: Grammar, chart: InsideChart, task: TaskName): TaskLabel {
  const span = task === 'A' ? chart.n : TASK_SPAN[task];
  if (chart.n < span || span < 1) {
    throw new TaskSpanError(`task ${task} needs a sentence of at least ${Math.max(span, 1)} words; this one has ${chart.n}`, {
      task, length: chart.n,
    });
  }
  const c = cellIndex(chart.n, 0, span);
  const classes = taskClasses(g);
  if (task === 'A') {
    const x = firstArgmax(chart, c, classes.aCandidates);
    return { label: classes.aCandidates.indexOf(x), symbol: g.nonterminals[x]!, nonterminal: x };
  }
  const x = firstArgmax(chart, c, g.nonterminals.keys());
  return { label: classes.bcLabel[x]!, symbol: g.nonterminals[x]!, nonterminal: x };
}

/**
 * The label of one task for a sentence of terminal ids. B and C only look at their span, so only
 * the prefix is charted.
 */
export function taskLabel(g: Grammar, sentence: Int32Array, task: TaskName, ws?: ChartWorkspace): TaskLabel {
  const span = task === 'A' ? sentence.length : TASK_SPAN[task];
  if (sentence.length < span || span < 1) {
    throw new TaskSpanError(`task ${task} needs a sentence of at least ${Math.max(span, 1)} words; this one has ${sentence.length}`, {
      task, length: sentence.length,
    });
  }
  return labelFromChart(g, insideChart(g, sentence.subarray(0, span), ws), task);
}
