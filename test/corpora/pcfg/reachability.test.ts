import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generateGrammar, parseRuleText, readGrammarFile, unreachableNonterminals, UnreachableSymbolError,
} from '../../../corpora/pcfg/index.ts';
import { key } from '../../../prng/index.ts';
import { makeTmpDir } from '../tmpDir.ts';
import { runCli } from '../../helpers/runCli.ts';

// A1_1 is defined (lines 4-5) but no rule reaches it; A2_0 is reached only through A1_1.
const RULES = `S S1 1
S1 A1_0 A1_0 1
A1_0 a 1
A1_1 A2_0 A2_0 0.5
A1_1 b 0.5
A2_0 c 1
`;

function caught(f: () => unknown): UnreachableSymbolError {
  try {
    f();
  } catch (e) {
    if (e instanceof UnreachableSymbolError) return e;
    throw e;
  }
  throw new Error('expected an UnreachableSymbolError');
}

describe('unreachable nonterminals', () => {
  it('are listed in label order; a zero-weight rule reaches nothing', () => {
    expect(unreachableNonterminals(parseRuleText(RULES))).toEqual(['A1_1', 'A2_0']);
    const zero = parseRuleText('S S1 1\nS1 A1_0 A1_0 1\nS1 A1_0 A1_1 0\nA1_0 a 1\nA1_1 b 1\n');
    expect(unreachableNonterminals(zero)).toEqual(['A1_1']);
    expect(unreachableNonterminals(parseRuleText('S S1 1\nS1 A B 1\nA a 1\nB b 1\n'))).toEqual([]);
  });

  it("are an error naming them, their lines and the file when the reader is asked (unreachable: 'error')", () => {
    const e = caught(() => parseRuleText(RULES, { file: 'my.txt', unreachable: 'error' }));
    expect(e.message).toMatch(/^my\.txt: 2 nonterminals are unreachable from S: A1_1 \(lines 4-5\), A2_0 \(line 6\)\./);
    expect(e.message).toMatch(/--allow-unreachable/);
    expect(e.context).toMatchObject({ file: 'my.txt', symbols: ['A1_1', 'A2_0'] });
    // the default reader accepts them (pretext re-reads the grammar.txt files it wrote)
    expect(parseRuleText(RULES).nonterminals).toContain('A1_1');
  });

  it('list the first five and the count of the rest', () => {
    const lines = ['S S1 1', 'S1 A1_0 A1_0 1', 'A1_0 a 1', ...Array.from({ length: 8 }, (_, i) => `B${i} b${i} 1`)];
    const e = caught(() => parseRuleText(lines.join('\n'), { unreachable: 'error' }));
    expect(e.message).toMatch(/8 nonterminals are unreachable from S: B0 \(line 4\), B1 \(line 5\), B2 \(line 6\), B3 \(line 7\), B4 \(line 8\) and 3 more\./);
  });

  it('--rules rejects them (exit 2, naming the file and symbols) unless --allow-unreachable', async () => {
    const dir = makeTmpDir();
    const rules = join(dir, 'dead.txt');
    writeFileSync(rules, RULES);
    for (const cmd of [['pcfg', 'stats', '--sentences', '5'], ['pcfg', 'parse', '--sentence', 'a a'], ['pcfg', 'generate', '--out', join(dir, 'ds'), '--sentences', '5', '--seed', '1']]) {
      const bad = await runCli([...cmd, '--rules', rules]);
      expect(bad.code).toBe(2);
      expect(bad.err).toContain(`${rules}: 2 nonterminals are unreachable from S: A1_1 (lines 4-5), A2_0 (line 6)`);
      expect((await runCli([...cmd, '--rules', rules, '--allow-unreachable'])).code).toBe(0);
    }
  });

  it('pcfg grammar reports a generated grammar\'s unreachable nonterminals; reading the file back needs --allow-unreachable', async () => {
    const dir = makeTmpDir();
    const out = join(dir, 'g5.txt');
    const r = await runCli(['pcfg', 'grammar', '--seed', '5', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const expected = unreachableNonterminals(generateGrammar(key(5)));
    expect(expected.length).toBeGreaterThan(0); // seed 5's nine start pairs miss an A1 nonterminal
    expect(JSON.parse(r.out).unreachable).toEqual(expected);
    expect(() => readGrammarFile(out, { unreachable: 'error' })).toThrow(UnreachableSymbolError);
    expect((await runCli(['pcfg', 'stats', '--rules', out, '--sentences', '5'])).code).toBe(2);
    expect((await runCli(['pcfg', 'stats', '--rules', out, '--sentences', '5', '--allow-unreachable'])).code).toBe(0);
  });
});
