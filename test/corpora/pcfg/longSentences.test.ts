import { describe, expect, it } from 'vitest';
import {
  encodeSentence, insideChart, insideLogValue, outsideChart, outsideLogValue, parseRuleText, sentenceLogProb,
  trueConditionals, viterbiParse, treeLogProb,
} from '../../../corpora/pcfg/index.ts';
import { key, randint } from '../../../prng/index.ts';

// X -> X X | a | b: every length is possible, and the probability of a 150-word sentence
// (about e^-930) is far below the smallest double, so an unscaled chart would underflow to 0.
const RULES = `S X 1
X X X 0.001
X a 0.4995
X b 0.4995
`;
const g = parseRuleText(RULES, { file: 'long.txt' });
const L = 150;

const logAdd = (a: number, b: number): number => (a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));

/** Reference inside in log space for this one-nonterminal grammar: ln beta(X, i, j). */
function logInside(words: string[]): number[][] {
  const n = words.length;
  const b: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(-Infinity));
  for (let i = 0; i < n; i++) b[i]![i + 1] = Math.log(0.4995);
  for (let w = 2; w <= n; w++) {
    for (let i = 0; i + w <= n; i++) {
      let acc = -Infinity;
      for (let k = i + 1; k < i + w; k++) acc = logAdd(acc, Math.log(0.001) + b[i]![k]! + b[k]![i + w]!);
      b[i]![i + w] = acc;
    }
  }
  return b;
}

describe('long sentences (150 words) do not underflow', () => {
  const words = Array.from(randint(key(41), 0, 2, L), (v) => (v ? 'b' : 'a'));
  const x = encodeSentence(g, words.join(' '));
  const inside = insideChart(g, x);
  const lnP = sentenceLogProb(inside);

  it('ln P(x) is finite, below the double range, and equals a log-space reference', () => {
    expect(Number.isFinite(lnP)).toBe(true);
    expect(lnP).toBeLessThan(Math.log(Number.MIN_VALUE));
    const ref = logInside(words);
    expect(lnP).toBeCloseTo(ref[0]![L]!, 8);
    expect(insideLogValue(inside, 0, 17, 77)).toBeCloseTo(ref[17]![77]!, 8);
  });

  it('the outside identity holds at every position and p* sums to 1', () => {
    const outside = outsideChart(inside);
    for (let i = 0; i < L; i++) {
      expect(insideLogValue(inside, 0, i, i + 1) + outsideLogValue(outside, 0, i, i + 1)).toBeCloseTo(lnP, 8);
    }
    const { pStar, entropy } = trueConditionals(g, x);
    for (let i = 0; i < L; i++) {
      expect(pStar[2 * i]! + pStar[2 * i + 1]!).toBeCloseTo(1, 12);
      // a and b are exchangeable in this grammar, so every conditional is uniform
      expect(pStar[2 * i]!).toBeCloseTo(0.5, 12);
      expect(entropy[i]!).toBeCloseTo(Math.log(2), 12);
    }
  });

  it('Viterbi gives a finite log-probability matching its tree', () => {
    const parse = viterbiParse(g, x);
    expect(Number.isFinite(parse.logProb)).toBe(true);
    expect(parse.logProb).toBeLessThanOrEqual(lnP);
    expect(treeLogProb(g, parse.tree!)).toBeCloseTo(parse.logProb, 8);
  });
});
