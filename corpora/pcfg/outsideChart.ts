import { workspaceFor, type ChartWorkspace } from './chartWorkspace.ts';
import { cellIndex, sentenceLogProb, type InsideChart } from './insideChart.ts';

/**
 * The outside chart (spec 5b5): alpha(X, i, j) = total probability of everything outside the span
 * [i, j) given that X covers it, with the root alpha(S_k, 0, n) = P(S -> S_k). Stored scaled
 * against the inside scales so that alpha * beta / P(x) (a posterior, at most 1) is well scaled:
 *
 *   alpha(X, i, j) = values[c * N + X] * exp(logRef - inside.logScale[c]),
 *
 * with logRef = ln P(x) (or, for a zero-probability sentence, the root cell's inside scale).
 * Then sum_X values * insideValues = 1 in every cell that a derivation must contain, e.g. every
 * one-word cell: the identity sum_X alpha(X,i,i+1) beta(X,i,i+1) = P(x).
 * Entries whose bit in `written` (W words per cell) is clear are zero (their memory is stale).
 */
export interface OutsideChart {
  readonly inside: InsideChart;
  readonly values: Float64Array;
  readonly written: Int32Array;
  readonly logRef: number;
}

/**
 * Computes the outside chart from an inside chart (pass the workspace the inside chart came from
 * to reuse its buffers). Every nonterminal gets its outside value, including those whose inside
 * value is zero: the true conditionals need alpha at one-word cells for all nonterminals.
 * For each split, the rules visited are those whose parent has a nonzero outside value and whose
 * sibling has a nonzero inside value (bitmask intersections), so no update is wasted.
 */
export function outsideChart(inside: InsideChart, ws?: ChartWorkspace): OutsideChart {
  const { n, N, values: iv, logScale: scale, nonzero, nonzeroCount: counts, tables: t } = inside;
  const w = workspaceFor(N, n, ws);
  const a = w.outside;
  const written = w.outsideWritten;
  const stride = n + 1;
  const {
    W, parentRightOffsets, parentRightLeft, parentRightProb, rightParentMask,
    parentLeftOffsets, parentLeftRight, parentLeftProb, leftParentMask,
  } = t;
  written.fill(0, 0, stride * stride * W);
  if (n === 0) return { inside, values: a, written, logRef: 0 };

  const root = cellIndex(n, 0, n);
  const lnP = sentenceLogProb(inside);
  const logRef = Number.isFinite(lnP) ? lnP : scale[root]!;
  const rootFactor = Math.exp(scale[root]! - logRef);
  for (let k = 0; k < t.startChildren.length; k++) {
    const x = t.startChildren[k]!;
    const bit = 1 << (x & 31);
    const mi = root * W + (x >> 5);
    const v = t.startProbs[k]! * rootFactor;
    if (written[mi]! & bit) a[root * N + x] += v;
    else {
      written[mi]! |= bit;
      a[root * N + x] = v;
    }
  }

  for (let width = n; width >= 2; width--) {
    for (let i = 0; i + width <= n; i++) {
      const j = i + width;
      const cp = i * stride + j;
      const bp = cp * N;
      const mp = cp * W;
      let any = 0;
      for (let wd = 0; wd < W; wd++) any |= written[mp + wd]!;
      if (any === 0) continue;
      const sp = scale[cp]!;
      for (let k = i + 1; k < j; k++) {
        const cl = i * stride + k;
        const cr = k * stride + j;
        const nl = counts[cl]!;
        const nr = counts[cr]!;
        if (nl === 0 && nr === 0) continue;
        const f = Math.exp(scale[cl]! + scale[cr]! - sp);
        const bl = cl * N;
        const br = cr * N;
        const ml = cl * W;
        const mr = cr * W;
        // left child Y: alpha(Y,i,k) += alpha(X,i,j) p(X -> Y Z) beta(Z,k,j), over nonzero Z and X
        for (let b = 0; b < nr; b++) {
          const z = nonzero[br + b]!;
          const vz = iv[br + z]! * f;
          for (let wd = 0; wd < W; wd++) {
            let m = written[mp + wd]! & rightParentMask[z * W + wd]!;
            while (m !== 0) {
              const low = m & -m;
              m ^= low;
              const x = (wd << 5) | (31 - Math.clz32(low));
              const axz = a[bp + x]! * vz;
              const key = x * N + z;
              const r1 = parentRightOffsets[key + 1]!;
              for (let r = parentRightOffsets[key]!; r < r1; r++) {
                const y = parentRightLeft[r]!;
                const bit = 1 << (y & 31);
                const mi = ml + (y >> 5);
                if (written[mi]! & bit) a[bl + y] += parentRightProb[r]! * axz;
                else {
                  written[mi]! |= bit;
                  a[bl + y] = parentRightProb[r]! * axz;
                }
              }
            }
          }
        }
        // right child Z: alpha(Z,k,j) += alpha(X,i,j) p(X -> Y Z) beta(Y,i,k), over nonzero Y and X
        for (let b = 0; b < nl; b++) {
          const y = nonzero[bl + b]!;
          const vy = iv[bl + y]! * f;
          for (let wd = 0; wd < W; wd++) {
            let m = written[mp + wd]! & leftParentMask[y * W + wd]!;
            while (m !== 0) {
              const low = m & -m;
              m ^= low;
              const x = (wd << 5) | (31 - Math.clz32(low));
              const axy = a[bp + x]! * vy;
              const key = x * N + y;
              const r1 = parentLeftOffsets[key + 1]!;
              for (let r = parentLeftOffsets[key]!; r < r1; r++) {
                const z = parentLeftRight[r]!;
                const bit = 1 << (z & 31);
                const mi = mr + (z >> 5);
                if (written[mi]! & bit) a[br + z] += parentLeftProb[r]! * axy;
                else {
                  written[mi]! |= bit;
                  a[br + z] = parentLeftProb[r]! * axy;
                }
              }
            }
          }
        }
      }
    }
  }
  return { inside, values: a, written, logRef };
}

/** The scaled outside value of nonterminal x in cell c (0 where nothing was written). */
export function outsideScaledValue(chart: OutsideChart, c: number, x: number): number {
  const W = chart.inside.tables.W;
  return (chart.written[c * W + (x >> 5)]! >>> (x & 31)) & 1 ? chart.values[c * chart.inside.N + x]! : 0;
}

/** ln alpha(X, i, j) from an outside chart (-Infinity when zero). */
export function outsideLogValue(chart: OutsideChart, x: number, i: number, j: number): number {
  const c = cellIndex(chart.inside.n, i, j);
  return Math.log(outsideScaledValue(chart, c, x)) + chart.logRef - chart.inside.logScale[c]!;
}
