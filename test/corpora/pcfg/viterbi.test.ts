import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeSentence, formatTree, generateGrammar, insideChart, parseTree, sampleSentences, sentenceAt, sentenceLogProb,
  sentenceWords, treeLogProb, treeYield, viterbiParse, DerivationError,
} from '../../../corpora/pcfg/index.ts';
import { key } from '../../../prng/index.ts';
import { sentenceDerivations, toyWithSentence } from './toyGrammar.ts';

describe('Viterbi parse', () => {
  it('is a derivation of the sentence whose probability is the max over all derivations (toy grammars)', () => {
    fc.assert(
      fc.property(toyWithSentence(5), ({ toy, words }) => {
        const g = toy.grammar;
        const parse = viterbiParse(g, encodeSentence(g, words.join(' ')));
        const all = sentenceDerivations(toy, words);
        if (all.length === 0) {
          expect(parse.tree).toBeNull();
          expect(parse.logProb).toBe(-Infinity);
          return;
        }
        const best = Math.max(...all.map((d) => d.p));
        expect(parse.tree).not.toBeNull();
        expect(treeYield(parse.tree!)).toEqual(words);
        expect(parse.logProb).toBeCloseTo(Math.log(best), 10);
        // the tree is a real derivation, scored rule by rule
        expect(treeLogProb(g, parse.tree!)).toBeCloseTo(parse.logProb, 10);
        // and one of the enumerated derivations with the best probability
        const text = formatTree(parse.tree!);
        expect(all.some((d) => formatTree(d.tree) === text && Math.abs(Math.log(d.p) - parse.logProb) < 1e-9)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('parses sampled sentences of a study-shaped grammar; ln P(best) <= ln P(x)', () => {
    const g = generateGrammar(key(31));
    const batch = sampleSentences(g, key(32), 20);
    for (let s = 0; s < 20; s++) {
      const x = sentenceAt(batch, s);
      const parse = viterbiParse(g, x);
      expect(treeYield(parse.tree!)).toEqual(sentenceWords(g, x));
      expect(treeLogProb(g, parse.tree!)).toBeCloseTo(parse.logProb, 9);
      expect(parse.logProb).toBeLessThanOrEqual(sentenceLogProb(insideChart(g, x)) + 1e-12);
      expect(parse.tree!.symbol).toBe('S');
      expect(parse.tree!.children[0]!.symbol).toMatch(/^S\d$/);
    }
  });
});

describe('bracketed trees', () => {
  it('round-trip through formatTree/parseTree', () => {
    const g = generateGrammar(key(33));
    const x = sentenceAt(sampleSentences(g, key(34), 1), 0);
    const tree = viterbiParse(g, x).tree!;
    const text = formatTree(tree);
    expect(text.startsWith('(S (S')).toBe(true);
    expect(parseTree(text)).toEqual(tree);
  });

  it('reject malformed text and rules the grammar lacks, with a typed error', () => {
    expect(() => parseTree('(S (S1 (A1_0 word)')).toThrow(DerivationError);
    expect(() => parseTree('(S (S1 word) extra')).toThrow(/trailing text|expected/);
    const g = generateGrammar(key(33));
    expect(() => treeLogProb(g, parseTree(`(S (S1 (A4_0 ${g.terminals[0]}) (A4_0 ${g.terminals[0]})))`))).toThrow(/no rule S1 -> A4_0 A4_0/);
  });
});
