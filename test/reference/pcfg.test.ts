// Checks against the original study's grammar (../shared/data/pcfg/rule_deep_mlm.txt) and the
// statistics spec 5b1/5b4/5b5 reports for it. The grammar is read from ../shared, never copied.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ChartWorkspace, corpusStats, insideChart, insideLogValue, nonterminalId, outsideChart, outsideLogValue, parseRuleLines,
  parseRuleText, rawWeightGrammar, sampleDownstreamSentences, sampleSentences, sentenceAt, sentenceCount, sentenceLogProb, taskLabel,
  trueConditionals, unreachableNonterminals, UnreachableSymbolError,
} from '../../corpora/pcfg/index.ts';
import { key } from '../../prng/index.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RULE_FILE = resolve(repoRoot, '../shared/data/pcfg/rule_deep_mlm.txt');
const text = readFileSync(RULE_FILE, 'utf8');
const g = parseRuleText(text, { file: RULE_FILE });

const PRIORS = [0.2721, 0.0331, 0.1196, 0.1055, 0.0921, 0.1253, 0.09, 0.0528, 0.1094];

describe('the study grammar rule_deep_mlm.txt (spec 5b1)', () => {
  it('has 1649 lines, 208 duplicated (LHS, RHS) pairs, merged into 1407 rules', () => {
    const lines = parseRuleLines(text, RULE_FILE);
    expect(lines).toHaveLength(1649);
    const counts = new Map<string, number>();
    for (const r of lines) counts.set(`${r.lhs} ${r.rhs.join(' ')}`, (counts.get(`${r.lhs} ${r.rhs.join(' ')}`) ?? 0) + 1);
    expect([...counts.values()].filter((c) => c > 1)).toHaveLength(208);
    expect(counts.size).toBe(1407);
    expect(g.startChildren.length + g.binaryLeft.length + g.emissionTerminal.length).toBe(1407);
  });

  it('has 9 start rules S -> S_k with the listed priors, each S_k -> a fixed A1 pair', () => {
    expect(Array.from(g.startChildren, (x) => g.nonterminals[x])).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9']);
    g.startProbs.forEach((p, k) => expect(p).toBeCloseTo(PRIORS[k]!, 4));
    for (let k = 1; k <= 9; k++) {
      const x = nonterminalId(g, `S${k}`);
      expect(g.binaryOffsets[x + 1]! - g.binaryOffsets[x]!).toBe(1);
      expect(g.binaryProbs[g.binaryOffsets[x]!]).toBe(1);
      expect(g.nonterminals[g.binaryLeft[g.binaryOffsets[x]!]!]).toMatch(/^A1_\d$/);
      expect(g.emissionOffsets[x + 1]! - g.emissionOffsets[x]!).toBe(0);
    }
  });

  it('has levels A1..A3 (10 nonterminals, <= 20 binary rules into the next level, one terminal rule of probability 0.04..0.42) and A4 preterminals with ~100 terminal rules', () => {
    expect(g.nonterminals).toHaveLength(49);
    expect(g.terminals).toHaveLength(200);
    for (const w of g.terminals) expect(w).toMatch(/^[a-z]+$/);
    for (const level of [1, 2, 3]) {
      for (let j = 0; j < 10; j++) {
        const x = nonterminalId(g, `A${level}_${j}`);
        expect(g.binaryOffsets[x + 1]! - g.binaryOffsets[x]!).toBeLessThanOrEqual(20);
        for (let r = g.binaryOffsets[x]!; r < g.binaryOffsets[x + 1]!; r++) {
          expect(g.nonterminals[g.binaryRight[r]!]).toMatch(new RegExp(`^A${level + 1}_\\d$`));
        }
        expect(g.emissionOffsets[x + 1]! - g.emissionOffsets[x]!).toBe(1);
        const t = g.emissionProbs[g.emissionOffsets[x]!]!;
        expect(t).toBeGreaterThan(0.04);
        expect(t).toBeLessThan(0.43);
      }
    }
    for (let j = 0; j < 10; j++) {
      const x = nonterminalId(g, `A4_${j}`);
      expect(g.binaryOffsets[x + 1]! - g.binaryOffsets[x]!).toBe(0);
      const n = g.emissionOffsets[x + 1]! - g.emissionOffsets[x]!;
      expect(n).toBeGreaterThan(70);
      expect(n).toBeLessThanOrEqual(101);
    }
  });
});

describe('statistics of 1500 sampled sentences (spec 5b4, 5b5)', () => {
  const S = 1500;
  const batch = sampleSentences(g, key(2023), S);
  const stats = corpusStats(g, batch);

  it('sentences have 2..16 words, use only the 200 words, and have P(x) > 0; identities hold', () => {
    expect(stats.minLength).toBeGreaterThanOrEqual(2);
    expect(stats.maxLength).toBeLessThanOrEqual(16);
    expect(stats.zeroProbabilitySentences).toBe(0);
    const ws = new ChartWorkspace(g.nonterminals.length);
    for (let s = 0; s < 50; s++) {
      const x = sentenceAt(batch, s);
      const inside = insideChart(g, x, ws);
      const lnP = sentenceLogProb(inside);
      const outside = outsideChart(inside, ws);
      for (let i = 0; i < x.length; i++) {
        const terms = g.nonterminals.map((_, X) => insideLogValue(inside, X, i, i + 1) + outsideLogValue(outside, X, i, i + 1));
        const m = Math.max(...terms);
        expect(m + Math.log(terms.reduce((a, t) => a + Math.exp(t - m), 0))).toBeCloseTo(lnP, 9);
      }
      const { pStar } = trueConditionals(g, x);
      for (let i = 0; i < x.length; i++) {
        expect(pStar.subarray(i * 200, (i + 1) * 200).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        expect(pStar[i * 200 + x[i]!]!).toBeGreaterThan(0);
      }
    }
  });

  it('mean length is about 10.7 (within sampling error)', () => {
    const se = stats.lengthStdDev / Math.sqrt(S);
    // both the spec's figure and ours come from 1500 sentences
    expect(Math.abs(stats.meanLength - 10.7)).toBeLessThan(3 * Math.SQRT2 * se);
    expect(stats.downstreamFraction).toBeGreaterThan(0.93);
    expect(stats.downstreamFraction).toBeLessThan(0.965);
  });

  it('optimal single-mask loss is about 4.46 nats (spec SE 0.01) and below ln 200', () => {
    const tolerance = 3 * Math.sqrt(stats.optimalLossStdErr ** 2 + 0.01 ** 2);
    expect(stats.optimalLossStdErr).toBeGreaterThan(0.005);
    expect(stats.optimalLossStdErr).toBeLessThan(0.02);
    expect(Math.abs(stats.optimalLoss - 4.46)).toBeLessThan(tolerance);
    expect(stats.uniformLoss).toBeCloseTo(5.2983, 4);
  });

  it('task B: about 22 classes occur, majority about 0.21', () => {
    const B = stats.tasks.B;
    expect(B.sentences).toBeGreaterThan(1350);
    expect(B.classes).toBeGreaterThanOrEqual(20);
    expect(B.classes).toBeLessThanOrEqual(24);
    const se = Math.sqrt((0.21 * 0.79) / B.sentences);
    expect(Math.abs(B.majority - 0.21)).toBeLessThan(3 * se);
    for (const label of Object.keys(B.counts)) expect(label).not.toBe('S');
  });

  it('task B majority label is A2_6, then A2_9 and A2_3 (20000 downstream sentences)', () => {
    const n = 20000;
    const down = sampleDownstreamSentences(g, key(7), n);
    const ws = new ChartWorkspace(g.nonterminals.length);
    const counts = new Map<string, number>();
    for (let s = 0; s < n; s++) {
      const l = taskLabel(g, sentenceAt(down, s), 'B', ws).symbol;
      counts.set(l, (counts.get(l) ?? 0) + 1);
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1]);
    expect(ranked.slice(0, 3).map(([l]) => l)).toEqual(['A2_6', 'A2_9', 'A2_3']);
    expect(Math.abs(ranked[0]![1] / n - 0.21)).toBeLessThan(3 * Math.sqrt((0.21 * 0.79) / n) + 0.005);
  });
});

describe('what the original code does differently with this file', () => {
  it('has one unreachable nonterminal, A1_9 (no start pair uses it); the strict reader (--rules) rejects it', () => {
    expect(unreachableNonterminals(g)).toEqual(['A1_9']);
    expect(() => parseRuleText(text, { file: RULE_FILE, unreachable: 'error' })).toThrow(UnreachableSymbolError);
    expect(() => parseRuleText(text, { file: RULE_FILE, unreachable: 'error' })).toThrow(/1 nonterminal is unreachable from S: A1_9 \(lines \d+-\d+\)/);
  });

  it('raw weights (as nltk uses them) move ln P(x) by up to ~1e-3, the optimal loss far less than its error; labels agree', () => {
    const raw = rawWeightGrammar(g);
    const batch = sampleSentences(g, key(2023), 1500);
    let largest = 0;
    for (let s = 0; s < sentenceCount(batch); s++) {
      const x = sentenceAt(batch, s);
      largest = Math.max(largest, Math.abs(sentenceLogProb(insideChart(raw, x)) - sentenceLogProb(insideChart(g, x))));
    }
    expect(largest).toBeGreaterThan(1e-4);
    expect(largest).toBeLessThan(3e-3);
    const [a, r] = [corpusStats(g, batch), corpusStats(raw, batch)];
    expect(Math.abs(a.optimalLoss - r.optimalLoss)).toBeLessThan(1e-4);
    expect(r.tasks.B.counts).toEqual(a.tasks.B.counts);
    // the subset the loss script reads (4 < length < 32) is harder than all lengths: short sentences are predictable
    expect(a.downstreamOptimalLoss).toBeGreaterThan(a.optimalLoss + 0.02);
  });
});
