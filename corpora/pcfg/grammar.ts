/**
 * A probabilistic context-free grammar in the form of the study's rule files (spec 5b1), stored
 * compactly for the charts and the sampler:
 *
 * - `start` (always `S`) rewrites by unary start rules S -> S_k to nonterminals (`startChildren`);
 *   it never appears inside the charts (spec 5b4: start rules are not applied in the chart).
 * - Every other nonterminal has binary rules X -> Y Z and terminal rules X -> word (Chomsky normal
 *   form without unary chains). Rules are CSR arrays grouped by left-hand side: the rules of
 *   nonterminal X are `binaryOffsets[X] .. binaryOffsets[X+1]` (in first-appearance order) and
 *   `emissionOffsets[X] .. emissionOffsets[X+1]` (by increasing terminal id).
 * - `*Weights` are the merged weights as written in the file (duplicates summed); `*Probs` are the
 *   same normalised per left-hand side, which is what sampling and the charts use
 *   (`rawWeightGrammar(g)` puts the weights in their place, for charts the original code's way).
 *   Keeping both makes `parseRuleText(formatRuleText(g))` reproduce `g` exactly.
 *
 * Nonterminal and terminal orders are documented in symbolOrder.ts. A Grammar is plain immutable
 * data; derived lookup tables (rule lists by child pair, sampling tables...) are built from it on
 * demand and cached per grammar object.
 */
export interface Grammar {
  readonly start: string;
  /** Nonterminal names by id, in label order (S1..S9, A1_0..A4_9 for the study's grammar). */
  readonly nonterminals: readonly string[];
  /** Terminal words by id, string-sorted. */
  readonly terminals: readonly string[];
  /** Nonterminal ids of the start rules, in first-appearance order. */
  readonly startChildren: Int32Array;
  readonly startWeights: Float64Array;
  /** The start prior P(S -> S_k). */
  readonly startProbs: Float64Array;
  /** CSR offsets of binary rules by left-hand side (length nonterminals + 1). */
  readonly binaryOffsets: Int32Array;
  readonly binaryLeft: Int32Array;
  readonly binaryRight: Int32Array;
  readonly binaryWeights: Float64Array;
  readonly binaryProbs: Float64Array;
  /** CSR offsets of terminal rules by left-hand side (length nonterminals + 1). */
  readonly emissionOffsets: Int32Array;
  readonly emissionTerminal: Int32Array;
  readonly emissionWeights: Float64Array;
  readonly emissionProbs: Float64Array;
}

/** The start symbol of every grammar (the study's files and the generator use `S`). */
export const START_SYMBOL = 'S';

/** One rule as written: `lhs -> rhs` with weight; `line` is its 1-based line in a rule file. */
export interface RuleSpec {
  readonly lhs: string;
  readonly rhs: readonly string[];
  readonly weight: number;
  readonly line?: number;
}

interface SymbolIndex {
  readonly nonterminal: ReadonlyMap<string, number>;
  readonly terminal: ReadonlyMap<string, number>;
}

const indexCache = new WeakMap<Grammar, SymbolIndex>();

function symbolIndex(g: Grammar): SymbolIndex {
  let idx = indexCache.get(g);
  if (!idx) {
    idx = {
      nonterminal: new Map(g.nonterminals.map((s, i) => [s, i])),
      terminal: new Map(g.terminals.map((s, i) => [s, i])),
    };
    indexCache.set(g, idx);
  }
  return idx;
}

/** Id of a nonterminal, or -1. */
export const nonterminalId = (g: Grammar, name: string): number => symbolIndex(g).nonterminal.get(name) ?? -1;

/** Id of a terminal word, or -1. */
export const terminalId = (g: Grammar, word: string): number => symbolIndex(g).terminal.get(word) ?? -1;

/** Number of binary rules (after merging duplicates). */
export const binaryRuleCount = (g: Grammar): number => g.binaryLeft.length;

/** Number of terminal rules (after merging duplicates). */
export const emissionRuleCount = (g: Grammar): number => g.emissionTerminal.length;
