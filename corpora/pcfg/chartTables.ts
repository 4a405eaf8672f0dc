import type { Grammar } from './grammar.ts';

/**
 * Rule indexes for the inside, outside and Viterbi charts, derived once per grammar (cached):
 * binary rules by (left, right) child pair, by (parent, right child) and by (parent, left child),
 * with bitmasks of which pairs exist, so the chart loops visit only rules that can contribute
 * (intersecting a rule mask with a cell's mask of nonzero nonterminals); terminal rules by word
 * and by nonterminal. Rules of probability 0 are left out (they add nothing to any chart).
 */
export interface ChartTables {
  /** Number of chart nonterminals (the start symbol is not one). */
  readonly N: number;
  /** Number of terminal words. */
  readonly T: number;
  /** 32-bit words per nonterminal bitmask: ceil(N / 32). */
  readonly W: number;
  /** Rules X -> Y Z by child pair: pairOffsets[Y*N+Z] ..; their parent X. */
  readonly pairOffsets: Int32Array;
  readonly pairParent: Int32Array;
  readonly pairLeft: Int32Array;
  readonly pairRight: Int32Array;
  readonly pairProb: Float64Array;
  readonly pairLogProb: Float64Array;
  /** Bitmask (W words per Y) of the right children Z with some rule X -> Y Z. */
  readonly pairMask: Int32Array;
  /** Bitmask (W words per pair Y*N+Z) of the parents X of rules X -> Y Z. */
  readonly pairParentMask: Int32Array;
  /** Rules X -> Y Z by (parent, right child): parentRightOffsets[X*N+Z] ..; their left child Y. */
  readonly parentRightOffsets: Int32Array;
  readonly parentRightLeft: Int32Array;
  readonly parentRightProb: Float64Array;
  /** Bitmask (W words per Z) of the parents X with some rule X -> Y Z. */
  readonly rightParentMask: Int32Array;
  /** Rules X -> Y Z by (parent, left child): parentLeftOffsets[X*N+Y] ..; their right child Z. */
  readonly parentLeftOffsets: Int32Array;
  readonly parentLeftRight: Int32Array;
  readonly parentLeftProb: Float64Array;
  /** Bitmask (W words per Y) of the parents X with some rule X -> Y Z. */
  readonly leftParentMask: Int32Array;
  /** Terminal rules emitting word w: wordOffsets[w] ..; nonterminal and probability. */
  readonly wordOffsets: Int32Array;
  readonly wordNonterminal: Int32Array;
  readonly wordProb: Float64Array;
  /** Terminal rules of nonterminal X: emitOffsets[X] ..; word and probability. */
  readonly emitOffsets: Int32Array;
  readonly emitTerminal: Int32Array;
  readonly emitProb: Float64Array;
  readonly startChildren: Int32Array;
  readonly startProbs: Float64Array;
}

interface Binary {
  parent: number;
  left: number;
  right: number;
  prob: number;
}

/** Stable counting-sort style grouping: offsets plus the item order grouped by `keyOf`. */
function groupBy<A>(items: readonly A[], groups: number, keyOf: (a: A) => number): { offsets: Int32Array; order: A[] } {
  const offsets = new Int32Array(groups + 1);
  for (const a of items) offsets[keyOf(a) + 1]!++;
  for (let g = 0; g < groups; g++) offsets[g + 1]! += offsets[g]!;
  const fill = offsets.slice(0, groups);
  const order = new Array<A>(items.length);
  for (const a of items) order[fill[keyOf(a)]!++] = a;
  return { offsets, order };
}

function buildTables(g: Grammar): ChartTables {
  const N = g.nonterminals.length;
  const T = g.terminals.length;
  const binary: Binary[] = [];
  for (let x = 0; x < N; x++) {
    for (let r = g.binaryOffsets[x]!; r < g.binaryOffsets[x + 1]!; r++) {
      const prob = g.binaryProbs[r]!;
      if (prob > 0) binary.push({ parent: x, left: g.binaryLeft[r]!, right: g.binaryRight[r]!, prob });
    }
  }
  const emissions: { nt: number; word: number; prob: number }[] = [];
  for (let x = 0; x < N; x++) {
    for (let r = g.emissionOffsets[x]!; r < g.emissionOffsets[x + 1]!; r++) {
      const prob = g.emissionProbs[r]!;
      if (prob > 0) emissions.push({ nt: x, word: g.emissionTerminal[r]!, prob });
    }
  }
  const W = Math.max(1, Math.ceil(N / 32));
  const mask = (pairs: Iterable<[number, number]>, rows = N): Int32Array => {
    const m = new Int32Array(rows * W);
    for (const [row, bit] of pairs) m[row * W + (bit >> 5)]! |= 1 << (bit & 31);
    return m;
  };
  const pair = groupBy(binary, N * N, (b) => b.left * N + b.right);
  const parentRight = groupBy(binary, N * N, (b) => b.parent * N + b.right);
  const parentLeft = groupBy(binary, N * N, (b) => b.parent * N + b.left);
  const byWord = groupBy(emissions, T, (e) => e.word);
  const byNt = groupBy(emissions, N, (e) => e.nt);
  return {
    N,
    T,
    W,
    pairOffsets: pair.offsets,
    pairParent: Int32Array.from(pair.order, (b) => b.parent),
    pairLeft: Int32Array.from(pair.order, (b) => b.left),
    pairRight: Int32Array.from(pair.order, (b) => b.right),
    pairProb: Float64Array.from(pair.order, (b) => b.prob),
    pairLogProb: Float64Array.from(pair.order, (b) => Math.log(b.prob)),
    pairMask: mask(binary.map((b): [number, number] => [b.left, b.right]), N),
    pairParentMask: mask(binary.map((b): [number, number] => [b.left * N + b.right, b.parent]), N * N),
    parentRightOffsets: parentRight.offsets,
    parentRightLeft: Int32Array.from(parentRight.order, (b) => b.left),
    parentRightProb: Float64Array.from(parentRight.order, (b) => b.prob),
    rightParentMask: mask(binary.map((b): [number, number] => [b.right, b.parent])),
    parentLeftOffsets: parentLeft.offsets,
    parentLeftRight: Int32Array.from(parentLeft.order, (b) => b.right),
    parentLeftProb: Float64Array.from(parentLeft.order, (b) => b.prob),
    leftParentMask: mask(binary.map((b): [number, number] => [b.left, b.parent])),
    wordOffsets: byWord.offsets,
    wordNonterminal: Int32Array.from(byWord.order, (e) => e.nt),
    wordProb: Float64Array.from(byWord.order, (e) => e.prob),
    emitOffsets: byNt.offsets,
    emitTerminal: Int32Array.from(byNt.order, (e) => e.word),
    emitProb: Float64Array.from(byNt.order, (e) => e.prob),
    startChildren: g.startChildren,
    startProbs: g.startProbs,
  };
}

const cache = new WeakMap<Grammar, ChartTables>();

/** The chart tables of a grammar (built on first use, then cached). */
export function chartTables(g: Grammar): ChartTables {
  let t = cache.get(g);
  if (!t) {
    t = buildTables(g);
    cache.set(g, t);
  }
  return t;
}
