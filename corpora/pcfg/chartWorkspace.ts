import { GrammarError } from './grammarErrors.ts';

/**
 * Reusable buffers for the charts of one sentence at a time, so that scoring millions of
 * sentences allocates nothing per sentence. Cells are indexed c = i * (n + 1) + j for the span
 * [i, j) of a sentence of length n; each cell holds one value per nonterminal, and a bitmask
 * (W 32-bit words) of its nonzero nonterminals. A workspace grows when a longer sentence arrives.
 * The charts returned by insideChart/outsideChart/viterbiChart are views of these buffers: valid
 * until the next call of the same kind on the same workspace.
 */
export class ChartWorkspace {
  /** Nonterminals per cell. */
  readonly N: number;
  /** Bitmask words per cell. */
  readonly W: number;
  /** Longest sentence the buffers hold now. */
  capacity = 0;
  inside = new Float64Array(0);
  insideLogScale = new Float64Array(0);
  /** Nonterminals with a nonzero inside value, per cell (cell-major, N slots per cell), and their count and mask. */
  insideNonzero = new Int32Array(0);
  insideNonzeroCount = new Int32Array(0);
  insideMask = new Int32Array(0);
  outside = new Float64Array(0);
  /** W words per cell: the nonterminals whose outside value has been written. */
  outsideWritten = new Int32Array(0);
  /** Scratch: mask of the nonterminals an inside cell has accumulated into so far. */
  readonly touchedMask: Int32Array;
  /** Scratch: the outside values of one cell, dense. */
  readonly outsideRow: Float64Array;
  viterbi = new Float64Array(0);
  viterbiSplit = new Int32Array(0);
  viterbiRule = new Int32Array(0);
  viterbiNonzero = new Int32Array(0);
  viterbiNonzeroCount = new Int32Array(0);
  viterbiMask = new Int32Array(0);

  constructor(N: number, capacity = 32) {
    this.N = N;
    this.W = Math.max(1, Math.ceil(N / 32));
    this.touchedMask = new Int32Array(this.W);
    this.outsideRow = new Float64Array(N);
    this.ensure(capacity);
  }

  /** Makes room for sentences of length n. */
  ensure(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, 2 * this.capacity);
    const cells = (cap + 1) * (cap + 1);
    const slots = cells * this.N;
    this.capacity = cap;
    this.inside = new Float64Array(slots);
    this.insideLogScale = new Float64Array(cells);
    this.insideNonzero = new Int32Array(slots);
    this.insideNonzeroCount = new Int32Array(cells);
    this.insideMask = new Int32Array(cells * this.W);
    this.outside = new Float64Array(slots);
    this.outsideWritten = new Int32Array(cells * this.W);
    this.viterbi = new Float64Array(slots);
    this.viterbiSplit = new Int32Array(slots);
    this.viterbiRule = new Int32Array(slots);
    this.viterbiNonzero = new Int32Array(slots);
    this.viterbiNonzeroCount = new Int32Array(cells);
    this.viterbiMask = new Int32Array(cells * this.W);
  }
}

/** A workspace was made for a grammar with a different number of nonterminals. */
export class WorkspaceMismatchError extends GrammarError {}

/** The workspace to use for a sentence of length n: the given one (checked, grown) or a new one. */
export function workspaceFor(N: number, n: number, ws?: ChartWorkspace): ChartWorkspace {
  if (!ws) return new ChartWorkspace(N, n);
  if (ws.N !== N) {
    throw new WorkspaceMismatchError(`chart workspace holds ${ws.N} nonterminals per cell but the grammar has ${N}`, {
      workspace: ws.N, grammar: N,
    });
  }
  ws.ensure(n);
  return ws;
}
