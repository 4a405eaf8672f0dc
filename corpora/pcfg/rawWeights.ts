import type { Grammar } from './grammar.ts';

const cache = new WeakMap<Grammar, Grammar>();

/**
 * The grammar with its rule weights as written in the rule file (duplicates summed) in place of
 * the per-LHS normalised probabilities. The study's code runs its inside chart on these raw
 * weights (nltk's `production.prob()`, never renormalised), and the study file's sums are only
 * about 1 (S 0.99999999, A4_* down to 0.99977), so ln P(x) moves by up to ~1e-3. Pass the result
 * to the chart functions (inside/outside/Viterbi, task labels, p*, optimal loss) to compute them
 * the original way; sampling is proportional to the weights either way. Cached per grammar, so
 * its chart tables are built once.
 */
export function rawWeightGrammar(g: Grammar): Grammar {
  let raw = cache.get(g);
  if (!raw) {
    raw = { ...g, startProbs: g.startWeights, binaryProbs: g.binaryWeights, emissionProbs: g.emissionWeights };
    cache.set(g, raw);
  }
  return raw;
}
