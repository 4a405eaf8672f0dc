import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ChartWorkspace, csvField, encodeSentence, formatTaskCsv, generateGrammar, insideChart, labelFromChart, parseRuleText,
  sampleDownstreamSentences, sentenceAt, sentenceCount, sentenceText, taskClassNames, taskLabel, taskRows, TaskSpanError,
} from '../../../corpora/pcfg/index.ts';
import { key } from '../../../prng/index.ts';
import { bruteInside, toyWithSentence } from './toyGrammar.ts';

const g = generateGrammar(key(61));

describe('task labels (spec 5b4)', () => {
  it('B and C labels lie in [0, 50) and are never 40 (the start symbol S); A labels in [0, 9)', () => {
    expect(taskClassNames(g, 'B')).toHaveLength(50);
    expect(taskClassNames(g, 'B')[40]).toBe('S');
    expect(taskClassNames(g, 'A')).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9']);
    const batch = sampleDownstreamSentences(g, key(62), 300);
    const ws = new ChartWorkspace(g.nonterminals.length);
    for (let s = 0; s < sentenceCount(batch); s++) {
      const x = sentenceAt(batch, s);
      expect(x.length).toBeGreaterThan(4);
      for (const task of ['B', 'C'] as const) {
        const l = taskLabel(g, x, task, ws);
        expect(l.label).toBeGreaterThanOrEqual(0);
        expect(l.label).toBeLessThan(50);
        expect(l.label).not.toBe(40);
        expect(taskClassNames(g, task)[l.label]).toBe(l.symbol);
      }
      const a = taskLabel(g, x, 'A', ws);
      expect(a.label).toBe(Number(a.symbol.slice(1)) - 1); // S_k -> k - 1
    }
  });

  it('B/C pick the first maximum of beta(X, 0, span) over nonterminals in label order (brute force)', () => {
    fc.assert(
      fc.property(toyWithSentence(5), ({ toy, words }) => {
        fc.pre(words.length >= 2);
        const tg = toy.grammar;
        const x = encodeSentence(tg, words.join(' '));
        const chart = insideChart(tg, x);
        for (const [task, span] of [['B', 4], ['C', 2]] as const) {
          if (words.length < span) continue;
          const values = tg.nonterminals.map((nt) => bruteInside(toy, nt, words, 0, span));
          const max = Math.max(...values);
          const first = values.findIndex((v) => v >= max * (1 - 1e-9));
          const label = labelFromChart(tg, chart, task);
          expect(label.symbol).toBe(tg.nonterminals[first]);
          expect(taskLabel(tg, x, task)).toEqual(label); // the prefix chart gives the same label
        }
      }),
      { numRuns: 150 },
    );
  });

  it('task A ignores the start prior', () => {
    // prior favours S1 (0.9 * 0.25 = 0.225 > 0.1 * 1), inside alone favours S2 (1 > 0.25)
    const tg = parseRuleText(['S S1 0.9', 'S S2 0.1', 'S1 A1_0 A1_0 1', 'S2 A1_1 A1_1 1', 'A1_0 x 0.5', 'A1_0 y 0.5', 'A1_1 x 1'].join('\n'));
    const l = taskLabel(tg, encodeSentence(tg, 'x x'), 'A');
    expect(l).toMatchObject({ symbol: 'S2', label: 1 });
  });

  it('ties go to the first symbol in label order (S1 before S2, S_k before A nonterminals)', () => {
    // file order lists S2 first; S1 and S2 have the same inside value on "x x"
    const tg = parseRuleText(['S S2 0.5', 'S S1 0.5', 'S1 A1_0 A1_1 1', 'S2 A1_1 A1_0 1', 'A1_0 x 1', 'A1_1 x 1'].join('\n'));
    const x = encodeSentence(tg, 'x x');
    expect(taskLabel(tg, x, 'A')).toMatchObject({ symbol: 'S1', label: 0 });
    expect(taskClassNames(tg, 'C')).toEqual(['A1_0', 'A1_1', 'S', 'S1', 'S2']);
    expect(taskLabel(tg, x, 'C')).toMatchObject({ symbol: 'S1', label: 3 });
  });

  it('an all-zero span gives S1', () => {
    const tg = parseRuleText(['S S1 1', 'S1 A1_0 A1_1 1', 'A1_0 x 1', 'A1_1 A1_0 A1_2 1', 'A1_2 y 1'].join('\n'));
    const x = encodeSentence(tg, 'x x x x');
    expect(taskLabel(tg, x, 'A')).toMatchObject({ symbol: 'S1', label: 0 });
    expect(taskLabel(tg, x, 'B')).toMatchObject({ symbol: 'S1', label: 4 });
    expect(taskLabel(tg, x, 'C')).toMatchObject({ symbol: 'S1', label: 4 });
    // while a span that has a constituent is labelled by it
    expect(taskLabel(tg, encodeSentence(tg, 'x y x x'), 'C')).toMatchObject({ symbol: 'A1_1', label: 1 });
  });

  it('a sentence shorter than the span is a TaskSpanError', () => {
    const x = encodeSentence(g, g.terminals.slice(0, 3).join(' '));
    expect(() => taskLabel(g, x, 'B')).toThrow(TaskSpanError);
    expect(() => taskLabel(g, x, 'B')).toThrow(/task B needs a sentence of at least 4 words; this one has 3/);
  });
});

describe('downstream CSV', () => {
  it('has header text,label and one row per sentence with its label', () => {
    const batch = sampleDownstreamSentences(g, key(63), 20);
    const rows = taskRows(g, batch, 'B');
    const lines = formatTaskCsv(rows).trimEnd().split('\n');
    expect(lines[0]).toBe('text,label');
    expect(lines).toHaveLength(21);
    for (let s = 0; s < 20; s++) {
      const x = sentenceAt(batch, s);
      expect(lines[s + 1]).toBe(`${sentenceText(g, x)},${taskLabel(g, x, 'B').label}`);
    }
  });

  it('quotes fields that need it', () => {
    expect(csvField('a b')).toBe('a b');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
  });
});
