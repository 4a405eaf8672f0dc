import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  corpusStats, encodeSentence, formatTree, generateGrammar, insideChart, parseRuleText, readGrammarFile,
  sampleDownstreamSentences, sampleSentences, sentenceAt, sentenceLogProb, sentenceText, taskLabel, viterbiParse,
  writeGrammarFile, type Grammar,
} from '../../../corpora/pcfg/index.ts';
import { key } from '../../../prng/index.ts';
import { runCli as run } from '../../helpers/runCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcfg-cli-'));
const rules = join(dir, 'rules.txt');
let g: Grammar;

beforeAll(() => {
  writeGrammarFile(rules, generateGrammar(key(4))); // all its nonterminals are reachable: --rules rejects unreachable ones
  g = readGrammarFile(rules);
});

afterEach(() => vi.restoreAllMocks());

describe('pretext pcfg stats', () => {
  it('--json prints one object consistent with the library', async () => {
    const { code, out } = await run(['pcfg', 'stats', '--rules', rules, '--sentences', '200', '--seed', '3', '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    const ref = corpusStats(g, sampleSentences(g, key(3), 200));
    expect(j.optimalLoss).toBeCloseTo(ref.optimalLoss, 12);
    expect(j.optimalLossStdErr).toBeCloseTo(ref.optimalLossStdErr, 12);
    expect(j.meanLength).toBe(ref.meanLength);
    expect(j.lengthHistogram).toEqual(ref.lengthHistogram);
    expect(j.taskB.classes).toBe(ref.tasks.B.classes);
    expect(j.taskB.majority).toBe(ref.tasks.B.majority);
    expect(j.taskB.majorityLabel).toBe(ref.tasks.B.majorityLabel);
    expect(j.grammar).toMatchObject({ source: rules, nonterminals: 49, terminals: 200, startRules: 9 });
    expect(j.sentences).toBe(200);
  });

  it('--grammar-seed uses the generated grammar of that seed; without --json prints a summary', async () => {
    const a = JSON.parse((await run(['pcfg', 'stats', '--grammar-seed', '4', '--sentences', '50', '--json'])).out);
    const b = JSON.parse((await run(['pcfg', 'stats', '--rules', rules, '--sentences', '50', '--json'])).out);
    expect(a.optimalLoss).toBe(b.optimalLoss);
    const { code, out } = await run(['pcfg', 'stats', '--grammar-seed', '4', '--sentences', '50']);
    expect(code).toBe(0);
    expect(out).toMatch(/optimal single-mask loss: \d\.\d{4} ± \d\.\d{4} nats\/position/);
    expect(out).toMatch(/task B: \d+ classes occur; majority A\d_\d/);
  });

  it('bad flags exit with code 2 and name the flag', async () => {
    const bad = await run(['pcfg', 'stats', '--rules', rules, '--sentences', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/sentences: got "many", expected integer/);
    const both = await run(['pcfg', 'stats', '--rules', rules, '--grammar-seed', '1']);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--rules FILE and --grammar-seed N/);
    const zero = await run(['pcfg', 'stats', '--grammar-seed', '1', '--sentences', '0']);
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/--sentences must be at least 1/);
    const unknown = await run(['pcfg', 'stats', '--grammar-seed', '1', '--sentence', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/--sentence/);
    const missing = await run(['pcfg', 'stats', '--rules', join(dir, 'nope.txt')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.txt: cannot read the rule file/);
  });
});

describe('pretext pcfg parse', () => {
  it('--json reports ln P(x), the Viterbi tree and labels as the library computes them', async () => {
    const x = sentenceAt(sampleSentences(g, key(72), 1, { minLength: 6 }), 0);
    const text = sentenceText(g, x);
    const { code, out } = await run(['pcfg', 'parse', '--rules', rules, '--sentence', text, '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.logProb).toBeCloseTo(sentenceLogProb(insideChart(g, x)), 12);
    expect(j.zeroProbability).toBe(false);
    const parse = viterbiParse(g, x);
    expect(j.viterbi).toEqual({ logProb: parse.logProb, tree: formatTree(parse.tree!) });
    expect(j.labels).toEqual({ A: taskLabel(g, x, 'A').symbol, B: taskLabel(g, x, 'B').symbol, C: taskLabel(g, x, 'C').symbol });
    expect(j.labelClasses.B).toBe(taskLabel(g, x, 'B').label);
  });

  it('a zero-probability sentence gives null log-probabilities and says so', async () => {
    const tg = parseRuleText('S S1 1\nS1 A1_0 A1_1 1\nA1_0 x 1\nA1_1 y 1\n');
    const tiny = join(dir, 'tiny.txt');
    writeGrammarFile(tiny, tg);
    const { code, out } = await run(['pcfg', 'parse', '--rules', tiny, '--sentence', 'y x', '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.logProb).toBeNull();
    expect(j.zeroProbability).toBe(true);
    expect(j.note).toMatch(/P\(x\) = 0/);
    expect(j.viterbi).toEqual({ logProb: null, tree: null });
    expect(j.labels).toEqual({ A: 'S1', B: null, C: 'S1' });
    expect(sentenceLogProb(insideChart(tg, encodeSentence(tg, 'y x')))).toBe(-Infinity);
  });

  it('an unknown word exits with code 2 naming the word and its position', async () => {
    const { code, err } = await run(['pcfg', 'parse', '--rules', rules, '--sentence', `${g.terminals[0]} notaword`]);
    expect(code).toBe(2);
    expect(err).toMatch(/unknown word "notaword" at position 1/);
  });
});

describe('pretext pcfg tasks', () => {
  it('writes the CSV the library would, atomically, and summarises it', async () => {
    const out = join(dir, 'taskB.csv');
    const { code, out: stdout } = await run(['pcfg', 'tasks', '--rules', rules, '--task', 'B', '--sentences', '100', '--seed', '5', '--out', out, '--json']);
    expect(code).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('text,label');
    const batch = sampleDownstreamSentences(g, key(5), 100);
    for (let s = 0; s < 100; s++) {
      const x = sentenceAt(batch, s);
      expect(lines[s + 1]).toBe(`${sentenceText(g, x)},${taskLabel(g, x, 'B').label}`);
    }
    const j = JSON.parse(stdout);
    expect(j).toMatchObject({ out, task: 'B', sentences: 100 });
    const counts = new Map<string, number>();
    for (const l of lines.slice(1)) counts.set(l.split(',')[1]!, (counts.get(l.split(',')[1]!) ?? 0) + 1);
    expect(j.classes).toBe(counts.size);
    expect(j.majority).toBe(Math.max(...counts.values()) / 100);
  });

  it('a bad --task exits with code 2 naming the flag', async () => {
    const { code, err } = await run(['pcfg', 'tasks', '--rules', rules, '--task', 'D', '--out', join(dir, 'x.csv')]);
    expect(code).toBe(2);
    expect(err).toMatch(/task: got "D", expected A \| B \| C/);
  });
});

describe('pretext pcfg grammar', () => {
  it('writes the grammar of the seed', async () => {
    const out = join(dir, 'g9.txt');
    const { code } = await run(['pcfg', 'grammar', '--seed', '9', '--out', out]);
    expect(code).toBe(0);
    expect(readGrammarFile(out)).toEqual(generateGrammar(key(9)));
  });
});
