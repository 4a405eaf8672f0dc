import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ChartWorkspace, encodeSentence, generateGrammar, insideChart, insideLogValue, nonterminalId, outsideChart,
  outsideLogValue, sampleSentences, sentenceAt, sentenceCount, sentenceLogProb, WorkspaceMismatchError,
} from '../../../corpora/pcfg/index.ts';
import { key } from '../../../prng/index.ts';
import { bruteInside, bruteSentenceProb, closeRel, toyWithSentence } from './toyGrammar.ts';

const logSumExp = (xs: number[]): number => {
  const m = Math.max(...xs);
  return m === -Infinity ? -Infinity : m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};

describe('inside chart', () => {
  it('equals brute-force enumeration of derivations for every nonterminal and span', () => {
    fc.assert(
      fc.property(toyWithSentence(5), ({ toy, words }) => {
        const g = toy.grammar;
        const chart = insideChart(g, encodeSentence(g, words.join(' ')));
        for (let i = 0; i < words.length; i++) {
          for (let j = i + 1; j <= words.length; j++) {
            for (const x of g.nonterminals) {
              const brute = bruteInside(toy, x, words, i, j);
              const mine = Math.exp(insideLogValue(chart, nonterminalId(g, x), i, j));
              if (!closeRel(mine, brute)) throw new Error(`beta(${x},${i},${j}) = ${mine}, brute force ${brute}`);
            }
          }
        }
        const p = bruteSentenceProb(toy, words);
        const lnP = sentenceLogProb(chart);
        expect(p === 0 ? lnP === -Infinity : closeRel(Math.exp(lnP), p)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('reuses a workspace across sentences of different lengths without stale values', () => {
    fc.assert(
      fc.property(toyWithSentence(5), fc.array(fc.nat(), { minLength: 2, maxLength: 4 }), ({ toy, words }, cuts) => {
        const g = toy.grammar;
        const ws = new ChartWorkspace(g.nonterminals.length, 1);
        for (const c of cuts) {
          const part = words.slice(0, 1 + (c % words.length));
          const lnP = sentenceLogProb(insideChart(g, encodeSentence(g, part.join(' ')), ws));
          const p = bruteSentenceProb(toy, part);
          expect(p === 0 ? lnP === -Infinity : closeRel(Math.exp(lnP), p)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('chart workspaces', () => {
  it('refuse a grammar with a different number of nonterminals', () => {
    const g = generateGrammar(key(13));
    const x = sentenceAt(sampleSentences(g, key(14), 1), 0);
    expect(() => insideChart(g, x, new ChartWorkspace(7))).toThrow(WorkspaceMismatchError);
    expect(() => insideChart(g, x, new ChartWorkspace(7))).toThrow(/7 nonterminals per cell but the grammar has 49/);
  });
});

describe('outside chart', () => {
  it('sum_X alpha(X,i,i+1) beta(X,i,i+1) = P(x) at every position (toy grammars)', () => {
    fc.assert(
      fc.property(toyWithSentence(6), ({ toy, words }) => {
        const g = toy.grammar;
        const inside = insideChart(g, encodeSentence(g, words.join(' ')));
        const lnP = sentenceLogProb(inside);
        fc.pre(lnP > -Infinity);
        const outside = outsideChart(inside);
        for (let i = 0; i < words.length; i++) {
          const terms = g.nonterminals.map((_, x) => insideLogValue(inside, x, i, i + 1) + outsideLogValue(outside, x, i, i + 1));
          expect(logSumExp(terms)).toBeCloseTo(lnP, 10);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the identity holds at every position of sampled sentences of a study-shaped grammar', () => {
    const g = generateGrammar(key(11));
    const batch = sampleSentences(g, key(12), 40);
    const ws = new ChartWorkspace(g.nonterminals.length);
    for (let s = 0; s < sentenceCount(batch); s++) {
      const inside = insideChart(g, sentenceAt(batch, s), ws);
      const lnP = sentenceLogProb(inside);
      expect(Number.isFinite(lnP)).toBe(true);
      const outside = outsideChart(inside, ws);
      for (let i = 0; i < inside.n; i++) {
        const terms = g.nonterminals.map((_, x) => insideLogValue(inside, x, i, i + 1) + outsideLogValue(outside, x, i, i + 1));
        expect(logSumExp(terms)).toBeCloseTo(lnP, 9);
      }
    }
  });
});
