import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emissionMatrix, EmptyGrammarError, formatRuleText, generateGrammar, GrammarReadError, MalformedRuleError, MissingStartSymbolError,
  nonterminalId, parseRuleText, readGrammarFile, RuleSumError, SymbolKindError, terminalId, UnknownSymbolError,
  UnsupportedRuleError, writeGrammarFile, type Grammar,
} from '../../../corpora/pcfg/index.ts';
import { key } from '../../../prng/index.ts';
import { toyGrammarArb } from './toyGrammar.ts';

const GOOD = `S S1 0.75
S S2 0.25
S1 A1_0 A1_1 1.0
S2 A1_1 A1_1 1.0
A1_0 A1_1 A1_1 0.3
A1_0 dog 0.2
A1_0 A1_1 A1_1 0.2
A1_0 cat 0.3
A1_1 cat 0.9
A1_1 dog 0.1
`;

/** The (lhs, rhs) -> probability map of a grammar, for comparisons by content. */
function ruleProbs(g: Grammar): Map<string, number> {
  const m = new Map<string, number>();
  g.startChildren.forEach((c, k) => m.set(`S -> ${g.nonterminals[c]}`, g.startProbs[k]!));
  g.nonterminals.forEach((x, i) => {
    for (let r = g.binaryOffsets[i]!; r < g.binaryOffsets[i + 1]!; r++) {
      m.set(`${x} -> ${g.nonterminals[g.binaryLeft[r]!]} ${g.nonterminals[g.binaryRight[r]!]}`, g.binaryProbs[r]!);
    }
    for (let r = g.emissionOffsets[i]!; r < g.emissionOffsets[i + 1]!; r++) {
      m.set(`${x} -> ${g.terminals[g.emissionTerminal[r]!]}`, g.emissionProbs[r]!);
    }
  });
  return m;
}

describe('rule-file parser', () => {
  it('reads rules, classifies unary right sides by the S prefix and merges duplicates by summing', () => {
    const g = parseRuleText(GOOD, { file: 'good.txt' });
    expect(g.nonterminals).toEqual(['S1', 'S2', 'A1_0', 'A1_1']);
    expect(g.terminals).toEqual(['cat', 'dog']);
    const probs = ruleProbs(g);
    expect(probs.get('A1_0 -> A1_1 A1_1')).toBeCloseTo(0.5, 15);
    expect(probs.size).toBe(2 + 2 + 3 + 2);
    expect(probs.get('S -> S1')).toBe(0.75);
    expect(g.binaryOffsets[nonterminalId(g, 'A1_0') + 1]! - g.binaryOffsets[nonterminalId(g, 'A1_0')]!).toBe(1);
    expect(terminalId(g, 'dog')).toBe(1);
  });

  it('exposes the dense emission matrix of the normalised terminal rules', () => {
    const g = parseRuleText(GOOD);
    const E = emissionMatrix(g);
    expect(E).toHaveLength(4 * 2);
    const probs = ruleProbs(g);
    g.nonterminals.forEach((x, i) =>
      g.terminals.forEach((w, v) => expect(E[i * 2 + v]).toBe(probs.get(`${x} -> ${w}`) ?? 0)),
    );
  });

  it('orders nonterminals in label order (start children, then natural order)', () => {
    const text = ['S S10 0.5', 'S S2 0.5', 'S10 A10_0 A2_1 1', 'S2 A2_1 A2_1 1', 'A10_0 x 1', 'A2_1 y 1'].join('\n');
    expect(parseRuleText(text).nonterminals).toEqual(['S2', 'S10', 'A2_1', 'A10_0']);
  });

  it('normalises per left-hand side and accepts sums within 1e-3 of 1', () => {
    const g = parseRuleText(GOOD.replace('A1_1 dog 0.1', 'A1_1 dog 0.1005'));
    const x = nonterminalId(g, 'A1_1');
    let sum = 0;
    for (let r = g.emissionOffsets[x]!; r < g.emissionOffsets[x + 1]!; r++) sum += g.emissionProbs[r]!;
    expect(sum).toBeCloseTo(1, 14);
  });

  it('write -> parse reproduces the grammar exactly (random toy grammars and generated ones)', () => {
    fc.assert(
      fc.property(toyGrammarArb, (toy) => {
        expect(parseRuleText(formatRuleText(toy.grammar))).toEqual(toy.grammar);
      }),
      { numRuns: 100 },
    );
    const g = generateGrammar(key(1));
    expect(parseRuleText(formatRuleText(g))).toEqual(g);
    const dir = mkdtempSync(join(tmpdir(), 'pcfg-rules-'));
    writeGrammarFile(join(dir, 'g.txt'), g);
    expect(readGrammarFile(join(dir, 'g.txt'))).toEqual(g);
  });

  it('write -> parse keeps the rules of a file with duplicates (merged once)', () => {
    const g = parseRuleText(GOOD);
    const text = formatRuleText(g);
    expect(text.split('\n').filter((l) => l.startsWith('A1_0 A1_1 A1_1'))).toEqual(['A1_0 A1_1 A1_1 0.5']);
    expect(parseRuleText(text)).toEqual(g);
  });
});

describe('rule-file errors name the file, line and symbol', () => {
  const cases: [string, string, new (...a: never[]) => Error, RegExp][] = [
    ['wrong field count', GOOD.replace('A1_1 cat 0.9', 'A1_1 cat 0.9 extra 1'), MalformedRuleError, /bad\.txt:9: .*got 5 fields/],
    ['one field', GOOD + 'A1_1\n', MalformedRuleError, /bad\.txt:11: .*got 1 field/],
    ['non-numeric probability', GOOD.replace('A1_1 cat 0.9', 'A1_1 cat 0.9x'), MalformedRuleError, /bad\.txt:9: probability "0\.9x" is not a number/],
    ['infinite probability', GOOD.replace('A1_1 cat 0.9', 'A1_1 cat Infinity'), MalformedRuleError, /bad\.txt:9: .*"Infinity"/],
    ['negative probability', GOOD.replace('A1_1 cat 0.9', 'A1_1 cat -0.9'), MalformedRuleError, /bad\.txt:9: probability -0\.9 is negative/],
    ['unknown symbol', GOOD.replace('S2 A1_1 A1_1 1.0', 'S2 A1_1 A1_7 1.0'), UnknownSymbolError, /bad\.txt:4: unknown symbol "A1_7"/],
    ['unknown start child', GOOD.replace('S S2 0.25', 'S S3 0.25'), UnknownSymbolError, /bad\.txt:2: unknown symbol "S3"/],
    ['terminal used as nonterminal', GOOD.replace('S2 A1_1 A1_1 1.0', 'S2 A1_1 cat 1.0'), SymbolKindError, /bad\.txt:4: "cat" is used as a nonterminal.*bad\.txt:8/],
    ['nonterminal used as terminal', GOOD.replace('A1_1 dog 0.1', 'A1_1 A1_0 0.1'), SymbolKindError, /bad\.txt:10: "A1_0" is a terminal word here but also a nonterminal.*bad\.txt:5/],
    ['no start symbol', GOOD.split('\n').slice(2).join('\n'), MissingStartSymbolError, /bad\.txt: no rule for the start symbol S/],
    ['empty file', '\n  \n', EmptyGrammarError, /bad\.txt: the grammar has no rules/],
    ['sum not 1', GOOD.replace('A1_1 dog 0.1', 'A1_1 dog 0.2'), RuleSumError, /bad\.txt: the probabilities of A1_1 sum to 1\.1 \(lines 9-10\)/],
    ['unary chain', GOOD.replace('S2 A1_1 A1_1 1.0', 'S2 A1_1 1.0'), UnsupportedRuleError, /bad\.txt:4: unary rule S2 -> A1_1/],
    ['binary start rule', GOOD.replace('S S2 0.25', 'S A1_0 A1_1 0.25'), UnsupportedRuleError, /bad\.txt:2: the start symbol S may only have unary rules/],
    ['start symbol on a right side', GOOD.replace('S2 A1_1 A1_1 1.0', 'S2 A1_1 S 1.0'), UnsupportedRuleError, /bad\.txt:4: the start symbol S may not appear/],
  ];
  for (const [name, text, cls, message] of cases) {
    it(name, () => {
      expect(() => parseRuleText(text, { file: 'bad.txt' })).toThrow(cls);
      expect(() => parseRuleText(text, { file: 'bad.txt' })).toThrow(message);
    });
  }

  it('sum errors list every line of the left-hand side, duplicates included', () => {
    try {
      parseRuleText(GOOD.replace('A1_0 cat 0.3', 'A1_0 cat 0.4'), { file: 'bad.txt' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleSumError);
      expect((e as RuleSumError).message).toMatch(/A1_0 sum to 1\.1.*lines 5-8/);
      expect((e as RuleSumError).context).toMatchObject({ file: 'bad.txt', symbol: 'A1_0', lines: [5, 7, 6, 8] });
    }
  });

  it('a missing file is a GrammarReadError naming the path', () => {
    expect(() => readGrammarFile('/nonexistent/rules.txt')).toThrow(GrammarReadError);
    expect(() => readGrammarFile('/nonexistent/rules.txt')).toThrow(/\/nonexistent\/rules\.txt/);
  });

  it('reads CRLF files and files with a BOM', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcfg-crlf-'));
    writeFileSync(join(dir, 'r.txt'), '\uFEFF' + GOOD.replace(/\n/g, '\r\n'));
    expect(readGrammarFile(join(dir, 'r.txt'))).toEqual(parseRuleText(GOOD));
  });
});
