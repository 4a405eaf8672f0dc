import type { Grammar } from './grammar.ts';

const cache = new WeakMap<Grammar, Float64Array>();

/**
 * The terminal emission matrix, dense: E[X * T + v] = P(X -> word v) (normalised; 0 where the
 * rule is absent), nonterminals x terminals in id order. Cached per grammar; do not modify.
 * (The charts use the sparse CSR form in the Grammar; this is for consumers that want a matrix.)
 */
export function emissionMatrix(g: Grammar): Float64Array {
  let m = cache.get(g);
  if (!m) {
    const T = g.terminals.length;
    m = new Float64Array(g.nonterminals.length * T);
    for (let x = 0; x < g.nonterminals.length; x++) {
      for (let r = g.emissionOffsets[x]!; r < g.emissionOffsets[x + 1]!; r++) m[x * T + g.emissionTerminal[r]!] = g.emissionProbs[r]!;
    }
    cache.set(g, m);
  }
  return m;
}
