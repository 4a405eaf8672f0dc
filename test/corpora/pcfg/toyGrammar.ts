// Small random grammars for property tests, and brute-force oracles that enumerate every
// derivation explicitly (no charts, no scaling): the reference the chart code is checked against.
import fc from 'fast-check';
import { buildGrammar, type DerivationTree, type Grammar, type RuleSpec } from '../../../corpora/pcfg/index.ts';

export interface ToyGrammar {
  readonly rules: RuleSpec[];
  readonly grammar: Grammar;
  /** Normalised rule probabilities, as the oracle sees them. */
  readonly start: { child: string; p: number }[];
  readonly binary: { lhs: string; left: string; right: string; p: number }[];
  readonly emit: { lhs: string; word: string; p: number }[];
}

const WORDS = ['a', 'b', 'c'];

/**
 * A random grammar with 1..3 nonterminals N0..N2 over words a..c: start rules to a nonempty
 * subset of them; each nonterminal has at least one terminal rule (so short sentences exist)
 * and any subset of the binary rules into nonterminal pairs; weights in [0.05, 1].
 */
export const toyGrammarArb: fc.Arbitrary<ToyGrammar> = fc
  .integer({ min: 1, max: 3 })
  .chain((nts) => {
    const names = Array.from({ length: nts }, (_, i) => `N${i}`);
    const pairs = names.flatMap((l) => names.map((r) => [l, r] as const));
    const weight = fc.double({ min: 0.05, max: 1, noNaN: true });
    const nt = fc.record({
      binary: fc.array(fc.tuple(fc.constantFrom(...pairs), weight), { maxLength: 4 }),
      emit: fc.uniqueArray(fc.tuple(fc.constantFrom(...WORDS), weight), { minLength: 1, maxLength: 3, selector: (e) => e[0] }),
    });
    return fc.record({
      names: fc.constant(names),
      start: fc.uniqueArray(fc.tuple(fc.constantFrom(...names), weight), { minLength: 1, maxLength: nts, selector: (e) => e[0] }),
      nts: fc.array(nt, { minLength: nts, maxLength: nts }),
    });
  })
  .map(({ names, start, nts }) => {
    const rules: RuleSpec[] = [];
    const out: Omit<ToyGrammar, 'grammar' | 'rules'> = { start: [], binary: [], emit: [] };
    const startSum = start.reduce((a, [, w]) => a + w, 0);
    for (const [child, w] of start) {
      rules.push({ lhs: 'S', rhs: [child], weight: w / startSum });
      out.start.push({ child, p: w / startSum });
    }
    names.forEach((lhs, i) => {
      const { binary, emit } = nts[i]!;
      // duplicates stay as separate lines here: the builder must merge them (the oracle sums them too)
      const sum = binary.reduce((a, [, w]) => a + w, 0) + emit.reduce((a, [, w]) => a + w, 0);
      for (const [[left, right], w] of binary) {
        rules.push({ lhs, rhs: [left, right], weight: w / sum });
        const same = out.binary.find((b) => b.lhs === lhs && b.left === left && b.right === right);
        if (same) same.p += w / sum;
        else out.binary.push({ lhs, left, right, p: w / sum });
      }
      for (const [word, w] of emit) {
        rules.push({ lhs, rhs: [word], weight: w / sum });
        out.emit.push({ lhs, word, p: w / sum });
      }
    });
    return { ...out, rules, grammar: buildGrammar(rules) };
  });

/** Every derivation of words[i..j) from nonterminal X, with its probability (exponential: toy sizes only). */
export function derivations(toy: ToyGrammar, x: string, words: readonly string[], i: number, j: number): { tree: DerivationTree; p: number }[] {
  const out: { tree: DerivationTree; p: number }[] = [];
  if (j - i === 1) {
    for (const e of toy.emit) if (e.lhs === x && e.word === words[i]) out.push({ tree: { symbol: x, children: [], word: e.word }, p: e.p });
    return out;
  }
  for (const b of toy.binary) {
    if (b.lhs !== x) continue;
    for (let k = i + 1; k < j; k++) {
      for (const l of derivations(toy, b.left, words, i, k)) {
        for (const r of derivations(toy, b.right, words, k, j)) {
          out.push({ tree: { symbol: x, children: [l.tree, r.tree] }, p: b.p * l.p * r.p });
        }
      }
    }
  }
  return out;
}

/** All derivations of the whole sentence from the start symbol (start rule included). */
export function sentenceDerivations(toy: ToyGrammar, words: readonly string[]): { tree: DerivationTree; p: number }[] {
  return toy.start.flatMap((s) =>
    derivations(toy, s.child, words, 0, words.length).map((d) => ({ tree: { symbol: 'S', children: [d.tree] }, p: s.p * d.p })),
  );
}

/** Brute-force inside probability: the sum over all derivations. */
export const bruteInside = (toy: ToyGrammar, x: string, words: readonly string[], i: number, j: number): number =>
  derivations(toy, x, words, i, j).reduce((a, d) => a + d.p, 0);

/** Brute-force P(x) with the start prior. */
export const bruteSentenceProb = (toy: ToyGrammar, words: readonly string[]): number =>
  sentenceDerivations(toy, words).reduce((a, d) => a + d.p, 0);

/** A toy grammar with a random sentence over its terminals (1..maxLength words). */
export const toyWithSentence = (maxLength: number): fc.Arbitrary<{ toy: ToyGrammar; words: string[] }> =>
  toyGrammarArb.chain((toy) =>
    fc.record({
      toy: fc.constant(toy),
      words: fc.array(fc.constantFrom(...toy.grammar.terminals), { minLength: 1, maxLength }),
    }),
  );

/** Relative closeness for probabilities that may be 0. */
export function closeRel(a: number, b: number, rel = 1e-9): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + 1e-300;
}
