import { workspaceFor, type ChartWorkspace } from './chartWorkspace.ts';
import { chartTables } from './chartTables.ts';
import type { Grammar } from './grammar.ts';
import { insideChart, sentenceLogProb, type InsideChart } from './insideChart.ts';
import { outsideChart } from './outsideChart.ts';

/**
 * The true single-mask MLM conditionals of one sentence (spec 5b5), position-major:
 * pStar[i * T + v] = p*(v | x_{-i}) = P(x with x_i = v) / sum_v' P(x with x_i = v'), over the
 * terminals in id (sorted-word) order, for every position i from one inside/outside pass:
 * p*(v | x_{-i}) is proportional to sum_X alpha(X, i, i+1) P(X -> v).
 * entropy[i] = H(p*(. | x_{-i})) in nats. A position whose context no derivation allows
 * (only possible for a zero-probability sentence) gets a zero row and entropy NaN.
 */
export interface SentenceConditionals {
  readonly pStar: Float64Array;
  readonly entropy: Float64Array;
  /** ln P(x), with the start prior. */
  readonly logProb: number;
  /** The inside chart computed on the way (a view of the workspace; labels can be read from it). */
  readonly inside: InsideChart;
}

/** Optional output buffers (pStar of at least n * T, entropy of at least n) to avoid allocation. */
export interface ConditionalsBuffers {
  readonly pStar: Float64Array;
  readonly entropy: Float64Array;
}

export function trueConditionals(
  g: Grammar,
  sentence: Int32Array,
  ws?: ChartWorkspace,
  out?: ConditionalsBuffers,
): SentenceConditionals {
  const t = chartTables(g);
  const { N, T, W, wordOffsets, wordNonterminal, wordProb } = t;
  const n = sentence.length;
  const w = workspaceFor(N, n, ws);
  const inside = insideChart(g, sentence, w);
  const outside = outsideChart(inside, w);
  const pStar = out ? out.pStar.subarray(0, n * T) : new Float64Array(n * T);
  const entropy = out ? out.entropy.subarray(0, n) : new Float64Array(n);
  const a = outside.values;
  const written = outside.written;
  const alpha = w.outsideRow;
  const stride = n + 1;
  for (let i = 0; i < n; i++) {
    // alpha(., i, i+1) as a dense row (zero where nothing was written)
    const c = i * stride + i + 1;
    const base = c * N;
    alpha.fill(0);
    for (let wd = 0; wd < W; wd++) {
      let m = written[c * W + wd]!;
      while (m !== 0) {
        const low = m & -m;
        m ^= low;
        const x = (wd << 5) | (31 - Math.clz32(low));
        alpha[x] = a[base + x]!;
      }
    }
    // word by word over the rules emitting it: a gather into a register, no scattered writes
    const row = i * T;
    let z = 0;
    for (let v = 0; v < T; v++) {
      let acc = 0;
      const r1 = wordOffsets[v + 1]!;
      for (let r = wordOffsets[v]!; r < r1; r++) acc += alpha[wordNonterminal[r]!]! * wordProb[r]!;
      pStar[row + v] = acc;
      z += acc;
    }
    if (!(z > 0)) {
      pStar.fill(0, row, row + T);
      entropy[i] = NaN;
      continue;
    }
    const inv = 1 / z;
    let h = 0;
    for (let v = 0; v < T; v++) {
      const p = pStar[row + v]! * inv;
      pStar[row + v] = p;
      if (p > 0) h -= p * Math.log(p);
    }
    entropy[i] = h;
  }
  return { pStar, entropy, logProb: sentenceLogProb(inside), inside };
}
