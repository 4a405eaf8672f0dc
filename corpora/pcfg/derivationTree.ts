import type { Grammar } from './grammar.ts';
import { nonterminalId, terminalId } from './grammar.ts';
import { GrammarError } from './grammarErrors.ts';

/**
 * A derivation (parse) tree. An inner node has a nonterminal `symbol` and its children: one child
 * for the start rule S -> S_k, two for a binary rule. A preterminal node has `word` and no
 * children (the terminal rule symbol -> word).
 *
 * Bracketed form (Penn-Treebank style, one line): `(S (S3 (A1_8 (A2_5 (A3_1 (A4_0 walter)
 * (A4_3 scoring)) ...) ...)))` — `(SYMBOL child child)` for inner nodes, `(SYMBOL word)` for
 * preterminals; the yield read left to right is the sentence.
 */
export interface DerivationTree {
  readonly symbol: string;
  readonly children: readonly DerivationTree[];
  readonly word?: string;
}

/** A bracketed string is not a well-formed tree, or a tree uses a rule the grammar lacks. */
export class DerivationError extends GrammarError {}

export function formatTree(t: DerivationTree): string {
  return t.word !== undefined ? `(${t.symbol} ${t.word})` : `(${t.symbol} ${t.children.map(formatTree).join(' ')})`;
}

/** Reads the bracketed form back. */
export function parseTree(text: string): DerivationTree {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let pos = 0;
  const fail = (why: string): never => {
    throw new DerivationError(`bad bracketed tree at token ${pos} ("${tokens[pos] ?? 'end'}"): ${why}`, { text, token: pos });
  };
  const node = (): DerivationTree => {
    if (tokens[pos] !== '(') fail('expected "("');
    pos++;
    const symbol = tokens[pos];
    if (symbol === undefined || symbol === '(' || symbol === ')') return fail('expected a symbol');
    pos++;
    if (tokens[pos] !== '(') {
      const word = tokens[pos];
      if (word === undefined || word === ')') return fail('expected a word or a child');
      pos++;
      if (tokens[pos] !== ')') fail('expected ")" after the word');
      pos++;
      return { symbol, children: [], word };
    }
    const children: DerivationTree[] = [];
    while (tokens[pos] === '(') children.push(node());
    if (tokens[pos] !== ')') fail('expected ")"');
    pos++;
    return { symbol, children };
  };
  const t = node();
  if (pos !== tokens.length) fail('trailing text');
  return t;
}

/** The words of a tree, left to right. */
export function treeYield(t: DerivationTree): string[] {
  return t.word !== undefined ? [t.word] : t.children.flatMap(treeYield);
}

/**
 * ln of the probability of a derivation from the root: the sum of the log-probabilities of its
 * rules (the start rule included when the root is the start symbol). Throws a DerivationError
 * naming the node when a rule is not in the grammar.
 */
export function treeLogProb(g: Grammar, t: DerivationTree): number {
  const bad = (why: string): never => {
    throw new DerivationError(`derivation node ${formatTree(t).slice(0, 80)}: ${why}`, { symbol: t.symbol });
  };
  if (t.symbol === g.start) {
    if (t.children.length !== 1) return bad('the start symbol has exactly one child');
    const child = nonterminalId(g, t.children[0]!.symbol);
    const k = Array.from(g.startChildren).indexOf(child);
    if (k < 0) return bad(`no start rule ${g.start} -> ${t.children[0]!.symbol}`);
    return Math.log(g.startProbs[k]!) + treeLogProb(g, t.children[0]!);
  }
  const x = nonterminalId(g, t.symbol);
  if (x < 0) return bad(`unknown nonterminal ${t.symbol}`);
  if (t.word !== undefined) {
    const w = terminalId(g, t.word);
    for (let r = g.emissionOffsets[x]!; r < g.emissionOffsets[x + 1]!; r++) {
      if (g.emissionTerminal[r] === w) return Math.log(g.emissionProbs[r]!);
    }
    return bad(`no rule ${t.symbol} -> ${t.word}`);
  }
  if (t.children.length !== 2) return bad('an inner node has two children');
  const y = nonterminalId(g, t.children[0]!.symbol);
  const z = nonterminalId(g, t.children[1]!.symbol);
  for (let r = g.binaryOffsets[x]!; r < g.binaryOffsets[x + 1]!; r++) {
    if (g.binaryLeft[r] === y && g.binaryRight[r] === z) {
      return Math.log(g.binaryProbs[r]!) + treeLogProb(g, t.children[0]!) + treeLogProb(g, t.children[1]!);
    }
  }
  return bad(`no rule ${t.symbol} -> ${t.children[0]!.symbol} ${t.children[1]!.symbol}`);
}
