import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GRAMMAR_SHAPE, formatRuleText, generateGrammar, GrammarConfigError, nonterminalId, pseudoWords,
  sampleSentences, type Grammar,
} from '../../../corpora/pcfg/index.ts';
import { key } from '../../../prng/index.ts';

const ruleCount = (offsets: Int32Array, x: number): number => offsets[x + 1]! - offsets[x]!;

function lhsSums(g: Grammar): number[] {
  return g.nonterminals.map((_, x) => {
    let s = 0;
    for (let r = g.binaryOffsets[x]!; r < g.binaryOffsets[x + 1]!; r++) s += g.binaryProbs[r]!;
    for (let r = g.emissionOffsets[x]!; r < g.emissionOffsets[x + 1]!; r++) s += g.emissionProbs[r]!;
    return s;
  });
}

describe('random grammar generator', () => {
  const g = generateGrammar(key(5));

  it('is reproducible from the key, and different keys give different grammars', () => {
    expect(formatRuleText(generateGrammar(key(5)))).toBe(formatRuleText(g));
    expect(generateGrammar(key(5))).toEqual(g);
    expect(formatRuleText(generateGrammar(key(6)))).not.toBe(formatRuleText(g));
  });

  it('has the study structure by default', () => {
    expect(g.startChildren.length).toBe(9);
    expect(g.nonterminals).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `S${i + 1}`),
      ...[1, 2, 3, 4].flatMap((l) => Array.from({ length: 10 }, (_, j) => `A${l}_${j}`)),
    ]);
    expect(g.terminals.length).toBe(200);
    for (let k = 1; k <= 9; k++) {
      const x = nonterminalId(g, `S${k}`);
      expect(ruleCount(g.binaryOffsets, x)).toBe(1);
      expect(ruleCount(g.emissionOffsets, x)).toBe(0);
      expect(g.nonterminals[g.binaryLeft[g.binaryOffsets[x]!]!]).toMatch(/^A1_/);
      expect(g.nonterminals[g.binaryRight[g.binaryOffsets[x]!]!]).toMatch(/^A1_/);
    }
    for (const level of [1, 2, 3]) {
      for (let j = 0; j < 10; j++) {
        const x = nonterminalId(g, `A${level}_${j}`);
        const binary = ruleCount(g.binaryOffsets, x);
        expect(binary).toBeGreaterThanOrEqual(12); // 20 draws of 100 pairs, duplicates merged
        expect(binary).toBeLessThanOrEqual(20);
        expect(ruleCount(g.emissionOffsets, x)).toBe(1);
        const t = g.emissionProbs[g.emissionOffsets[x]!]!;
        expect(t).toBeGreaterThanOrEqual(0.04 - 1e-12);
        expect(t).toBeLessThanOrEqual(0.42 + 1e-12);
        for (let r = g.binaryOffsets[x]!; r < g.binaryOffsets[x + 1]!; r++) {
          expect(g.nonterminals[g.binaryLeft[r]!]).toMatch(new RegExp(`^A${level + 1}_`));
          expect(g.nonterminals[g.binaryRight[r]!]).toMatch(new RegExp(`^A${level + 1}_`));
        }
      }
    }
    let preterminalRules = 0;
    for (let j = 0; j < 10; j++) {
      const x = nonterminalId(g, `A4_${j}`);
      expect(ruleCount(g.binaryOffsets, x)).toBe(0);
      preterminalRules += ruleCount(g.emissionOffsets, x);
      // the distinguished terminal rule: probability t in [0.04, 0.42] (plus any merged draw)
      expect(Math.max(...g.emissionProbs.subarray(g.emissionOffsets[x]!, g.emissionOffsets[x + 1]!))).toBeGreaterThanOrEqual(0.04);
    }
    // 1000 draws of 200 words: ~79 distinct per preterminal
    expect(preterminalRules / 10).toBeGreaterThan(65);
    expect(preterminalRules / 10).toBeLessThan(95);
  });

  it('is normalised per left-hand side; words are distinct lowercase single tokens', () => {
    for (const s of lhsSums(g)) expect(s).toBeCloseTo(1, 12);
    expect(g.startProbs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(new Set(g.terminals).size).toBe(200);
    for (const w of g.terminals) expect(w).toMatch(/^[a-z]+$/);
    expect(pseudoWords(key(3), 50)).toEqual(pseudoWords(key(3), 50));
  });

  it('gives sentence lengths like the study grammar: 2..16, mean about 10-11', () => {
    for (const seed of [5, 7]) {
      const gg = generateGrammar(key(seed));
      const b = sampleSentences(gg, key(100 + seed), 3000);
      const lengths = Array.from({ length: 3000 }, (_, s) => b.offsets[s + 1]! - b.offsets[s]!);
      expect(Math.min(...lengths)).toBeGreaterThanOrEqual(2);
      expect(Math.max(...lengths)).toBeLessThanOrEqual(16);
      const mean = lengths.reduce((a, c) => a + c, 0) / lengths.length;
      expect(mean).toBeGreaterThan(8.5);
      expect(mean).toBeLessThan(13.5);
    }
  });

  it('honours a custom shape', () => {
    const small = generateGrammar(key(8), { startRules: 3, levels: 2, nonterminalsPerLevel: 4, binaryRulesPerNonterminal: 5, preterminalRules: 10, terminals: 12 });
    expect(small.startChildren.length).toBe(3);
    expect(small.nonterminals).toEqual(['S1', 'S2', 'S3', 'A1_0', 'A1_1', 'A1_2', 'A1_3', 'A2_0', 'A2_1', 'A2_2', 'A2_3']);
    expect(small.terminals.length).toBe(12);
    for (const s of lhsSums(small)) expect(s).toBeCloseTo(1, 12);
    expect(DEFAULT_GRAMMAR_SHAPE.terminals).toBe(200);
  });

  it('rejects impossible shapes with a typed error naming the field', () => {
    expect(() => generateGrammar(key(1), { levels: 0 })).toThrow(GrammarConfigError);
    expect(() => generateGrammar(key(1), { levels: 0 })).toThrow(/levels/);
    expect(() => generateGrammar(key(1), { terminalRuleProb: { min: 0.5, max: 0.2 } })).toThrow(/terminalRuleProb/);
  });
});
