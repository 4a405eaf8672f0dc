import { chartTables } from './chartTables.ts';
import { workspaceFor, type ChartWorkspace } from './chartWorkspace.ts';
import type { DerivationTree } from './derivationTree.ts';
import type { Grammar } from './grammar.ts';

/** The most probable derivation of a sentence from the start symbol, and its log-probability. */
export interface ViterbiParse {
  /** ln of the best derivation's probability, start rule included; -Infinity when there is none. */
  readonly logProb: number;
  /** The best derivation, rooted at the start symbol; null when the sentence has no derivation. */
  readonly tree: DerivationTree | null;
}

/**
 * Viterbi (max-product CYK) parse in log space, so it never underflows. Ties keep the first
 * candidate met (splits left to right, then children and rules in table order; start rules in
 * file order). Uses the same sparse loops as insideChart (masks of reachable nonterminals).
 */
export function viterbiParse(g: Grammar, sentence: Int32Array, ws?: ChartWorkspace): ViterbiParse {
  const t = chartTables(g);
  const n = sentence.length;
  const { N, W, pairOffsets, pairParent, pairLeft, pairRight, pairLogProb, pairMask, wordOffsets, wordNonterminal, wordProb } = t;
  const w = workspaceFor(N, n, ws);
  const best = w.viterbi;
  const split = w.viterbiSplit;
  const rule = w.viterbiRule;
  const nonzero = w.viterbiNonzero;
  const counts = w.viterbiNonzeroCount;
  const mask = w.viterbiMask;
  const stride = n + 1;
  if (n === 0) return { logProb: -Infinity, tree: null };

  const finish = (c: number): void => {
    let count = 0;
    for (let wd = 0; wd < W; wd++) {
      let m = mask[c * W + wd]!;
      while (m !== 0) {
        const low = m & -m;
        m ^= low;
        nonzero[c * N + count++] = (wd << 5) | (31 - Math.clz32(low));
      }
    }
    counts[c] = count;
  };

  for (let i = 0; i < n; i++) {
    const c = i * stride + i + 1;
    for (let wd = 0; wd < W; wd++) mask[c * W + wd] = 0;
    const word = sentence[i]!;
    for (let r = wordOffsets[word]!; r < wordOffsets[word + 1]!; r++) {
      const x = wordNonterminal[r]!;
      best[c * N + x] = Math.log(wordProb[r]!);
      split[c * N + x] = -1;
      rule[c * N + x] = r;
      mask[c * W + (x >> 5)]! |= 1 << (x & 31);
    }
    finish(c);
  }

  for (let width = 2; width <= n; width++) {
    for (let i = 0; i + width <= n; i++) {
      const j = i + width;
      const c = i * stride + j;
      const base = c * N;
      for (let wd = 0; wd < W; wd++) mask[c * W + wd] = 0;
      for (let k = i + 1; k < j; k++) {
        const cl = i * stride + k;
        const cr = k * stride + j;
        const nl = counts[cl]!;
        if (nl === 0 || counts[cr] === 0) continue;
        for (let a = 0; a < nl; a++) {
          const y = nonzero[cl * N + a]!;
          const ly = best[cl * N + y]!;
          for (let wd = 0; wd < W; wd++) {
            let m = pairMask[y * W + wd]! & mask[cr * W + wd]!;
            while (m !== 0) {
              const low = m & -m;
              m ^= low;
              const z = (wd << 5) | (31 - Math.clz32(low));
              const lyz = ly + best[cr * N + z]!;
              const pair = y * N + z;
              for (let r = pairOffsets[pair]!; r < pairOffsets[pair + 1]!; r++) {
                const x = pairParent[r]!;
                const score = pairLogProb[r]! + lyz;
                const bit = 1 << (x & 31);
                const mi = c * W + (x >> 5);
                if (!(mask[mi]! & bit) || score > best[base + x]!) {
                  mask[mi]! |= bit;
                  best[base + x] = score;
                  split[base + x] = k;
                  rule[base + x] = r;
                }
              }
            }
          }
        }
      }
      finish(c);
    }
  }

  const root = n; // the cell of [0, n)
  let bestLog = -Infinity;
  let bestChild = -1;
  for (let k = 0; k < t.startChildren.length; k++) {
    const x = t.startChildren[k]!;
    if (!((mask[root * W + (x >> 5)]! >>> (x & 31)) & 1)) continue;
    const score = Math.log(t.startProbs[k]!) + best[root * N + x]!;
    if (score > bestLog) {
      bestLog = score;
      bestChild = x;
    }
  }
  if (bestChild < 0 || bestLog === -Infinity) return { logProb: -Infinity, tree: null };

  const build = (x: number, i: number, j: number): DerivationTree => {
    const c = i * stride + j;
    const symbol = g.nonterminals[x]!;
    if (j === i + 1) return { symbol, children: [], word: g.terminals[sentence[i]!]! };
    const k = split[c * N + x]!;
    const r = rule[c * N + x]!;
    return { symbol, children: [build(pairLeft[r]!, i, k), build(pairRight[r]!, k, j)] };
  };
  return { logProb: bestLog, tree: { symbol: g.start, children: [build(bestChild, 0, n)] } };
}
