import { chartTables, type ChartTables } from './chartTables.ts';
import { workspaceFor, type ChartWorkspace } from './chartWorkspace.ts';
import type { Grammar } from './grammar.ts';

/**
 * The inside chart of a sentence (spec 5b4): beta(X, i, j) = P(X =>* w_i .. w_{j-1}), without the
 * start rules. Values are stored scaled per cell to avoid underflow on long sentences:
 *
 *   beta(X, i, j) = values[c * N + X] * exp(logScale[c]),   c = i * (n + 1) + j,
 *
 * with the largest value of each nonzero cell equal to 1. Combining two cells multiplies by
 * exp(logScale(i,k) + logScale(k,j) - M), one exp per split, so the inner loops stay plain
 * multiply-adds. Only nonzero entries are visited: each cell keeps the list and the bitmask of
 * its nonzero nonterminals, and for each nonzero left child Y the rule mask of Y is intersected
 * with the right cell's mask, so only child pairs that have rules are touched. (In the study's
 * layered grammar most (cell, nonterminal) pairs are zero.)
 */
export interface InsideChart {
  readonly tables: ChartTables;
  readonly sentence: Int32Array;
  readonly n: number;
  readonly N: number;
  readonly values: Float64Array;
  readonly logScale: Float64Array;
  readonly nonzero: Int32Array;
  readonly nonzeroCount: Int32Array;
  /** W words per cell: bit X set iff beta(X, cell) > 0; values outside the mask are stale. */
  readonly mask: Int32Array;
}

/** Index of the cell of span [i, j) in a chart of a sentence of length n. */
export const cellIndex = (n: number, i: number, j: number): number => i * (n + 1) + j;

/**
 * Max-normalises one cell over the nonterminals in `touched` (the only ones written since the
 * cell was cleared) and fills its nonzero list, count and mask. Returns ln(max), or `fallback`
 * when the cell is all zero (its scale must still be finite, see outsideChart).
 */
function normaliseCell(
  values: Float64Array, N: number, W: number, touched: Int32Array,
  nonzero: Int32Array, counts: Int32Array, mask: Int32Array, c: number, fallback: number,
): number {
  const base = c * N;
  let max = 0;
  for (let wd = 0; wd < W; wd++) {
    let m = touched[wd]!;
    while (m !== 0) {
      const low = m & -m;
      m ^= low;
      const v = values[base + ((wd << 5) | (31 - Math.clz32(low)))]!;
      if (v > max) max = v;
    }
  }
  let count = 0;
  const inv = max > 0 ? 1 / max : 0;
  for (let wd = 0; wd < W; wd++) {
    let m = touched[wd]!;
    let nz = 0;
    while (m !== 0) {
      const low = m & -m;
      m ^= low;
      const x = (wd << 5) | (31 - Math.clz32(low));
      const v = values[base + x]!;
      if (v !== 0) {
        values[base + x] = v * inv;
        nonzero[base + count++] = x;
        nz |= low;
      }
    }
    mask[c * W + wd] = nz;
  }
  counts[c] = count;
  return max > 0 ? Math.log(max) : fallback;
}

/**
 * Computes the inside chart of `sentence` (terminal ids). Pass a workspace to reuse buffers across
 * sentences; the chart is a view of it. Only the nonterminals a cell can hold are ever written or
 * cleared (tracked by a mask), so entries outside a cell's mask are stale and must not be read:
 * read values through `mask`/`nonzero`, or through insideLogValue.
 */
export function insideChart(g: Grammar, sentence: Int32Array, ws?: ChartWorkspace): InsideChart {
  const t = chartTables(g);
  const n = sentence.length;
  const { N, W, pairOffsets, pairParent, pairProb, pairMask, pairParentMask, wordOffsets, wordNonterminal, wordProb } = t;
  const w = workspaceFor(N, n, ws);
  const values = w.inside;
  const scale = w.insideLogScale;
  const nonzero = w.insideNonzero;
  const counts = w.insideNonzeroCount;
  const mask = w.insideMask;
  const touched = w.touchedMask;
  const stride = n + 1;

  for (let i = 0; i < n; i++) {
    const c = i * stride + i + 1;
    const base = c * N;
    for (let wd = 0; wd < W; wd++) touched[wd] = 0;
    const word = sentence[i]!;
    for (let r = wordOffsets[word]!; r < wordOffsets[word + 1]!; r++) {
      const x = wordNonterminal[r]!;
      values[base + x] = wordProb[r]!;
      touched[x >> 5]! |= 1 << (x & 31);
    }
    scale[c] = normaliseCell(values, N, W, touched, nonzero, counts, mask, c, 0);
  }

  for (let width = 2; width <= n; width++) {
    for (let i = 0; i + width <= n; i++) {
      const j = i + width;
      const c = i * stride + j;
      const base = c * N;
      for (let wd = 0; wd < W; wd++) touched[wd] = 0;
      // Common exponent M: the largest product of child scales over the splits whose children are
      // both nonzero (so the best split gets factor 1 and none underflows needlessly). A cell with no
      // such split is zero; it still gets a finite scale (the largest over all splits).
      let M = -Infinity;
      let mAll = -Infinity;
      for (let k = i + 1; k < j; k++) {
        const cl = i * stride + k;
        const cr = k * stride + j;
        const s = scale[cl]! + scale[cr]!;
        if (s > mAll) mAll = s;
        if (s > M && counts[cl]! > 0 && counts[cr]! > 0) M = s;
      }
      if (M === -Infinity) {
        scale[c] = normaliseCell(values, N, W, touched, nonzero, counts, mask, c, mAll);
        continue;
      }
      for (let k = i + 1; k < j; k++) {
        const cl = i * stride + k;
        const cr = k * stride + j;
        const nl = counts[cl]!;
        if (nl === 0 || counts[cr] === 0) continue;
        const f = Math.exp(scale[cl]! + scale[cr]! - M);
        if (f === 0) continue;
        const bl = cl * N;
        const br = cr * N;
        const mr = cr * W;
        for (let a = 0; a < nl; a++) {
          const y = nonzero[bl + a]!;
          const vy = values[bl + y]! * f;
          const row = y * N;
          for (let wd = 0; wd < W; wd++) {
            let m = pairMask[y * W + wd]! & mask[mr + wd]!;
            while (m !== 0) {
              const low = m & -m;
              m ^= low;
              const z = (wd << 5) | (31 - Math.clz32(low));
              const pair = row + z;
              // clear the parents this cell has not written yet
              for (let w2 = 0; w2 < W; w2++) {
                let fresh = pairParentMask[pair * W + w2]! & ~touched[w2]!;
                if (fresh === 0) continue;
                touched[w2]! |= fresh;
                while (fresh !== 0) {
                  const lb = fresh & -fresh;
                  fresh ^= lb;
                  values[base + ((w2 << 5) | (31 - Math.clz32(lb)))] = 0;
                }
              }
              const vyz = vy * values[br + z]!;
              const p1 = pairOffsets[pair + 1]!;
              for (let r = pairOffsets[pair]!; r < p1; r++) values[base + pairParent[r]!] += pairProb[r]! * vyz;
            }
          }
        }
      }
      scale[c] = M + normaliseCell(values, N, W, touched, nonzero, counts, mask, c, 0);
    }
  }
  return { tables: t, sentence, n, N, values, logScale: scale, nonzero, nonzeroCount: counts, mask };
}

/** ln beta(X, i, j) from a chart (-Infinity when zero). */
export function insideLogValue(chart: InsideChart, x: number, i: number, j: number): number {
  const c = cellIndex(chart.n, i, j);
  return Math.log(insideScaledValue(chart, c, x)) + chart.logScale[c]!;
}

/** The scaled value of nonterminal x in cell c (0 where the cell's mask says zero). */
export function insideScaledValue(chart: InsideChart, c: number, x: number): number {
  const W = chart.tables.W;
  return (chart.mask[c * W + (x >> 5)]! >>> (x & 31)) & 1 ? chart.values[c * chart.N + x]! : 0;
}

/**
 * ln P(x) = ln sum_k P(S -> S_k) beta(S_k, 0, n), the sentence probability with the start prior;
 * -Infinity when the grammar cannot generate the sentence.
 */
export function sentenceLogProb(chart: InsideChart): number {
  const { n, logScale, tables } = chart;
  if (n === 0) return -Infinity;
  const c = cellIndex(n, 0, n);
  let p = 0;
  for (let k = 0; k < tables.startChildren.length; k++) p += tables.startProbs[k]! * insideScaledValue(chart, c, tables.startChildren[k]!);
  return p > 0 ? Math.log(p) + logScale[c]! : -Infinity;
}
