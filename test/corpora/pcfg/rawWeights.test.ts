import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  corpusStats, encodeSentence, insideChart, parseRuleText, rawWeightGrammar, sampleSentences, sentenceLogProb, terminalId,
  trueConditionals, viterbiParse,
} from '../../../corpora/pcfg/index.ts';
import { key } from '../../../prng/index.ts';
import { makeTmpDir } from '../tmpDir.ts';
import { runCli } from '../../helpers/runCli.ts';

// Per-LHS sums off 1 within the reader's 1e-3 tolerance: S 0.9999, A 0.9998, B 1.0005, C 1.
// "x z" has two derivations (via S1: A -> x, via S2: C -> x), so p* at position 0 mixes two
// left-hand sides with different sums and moves when the weights are not normalised.
const OFF_RULES = `S S1 0.49995
S S2 0.49995
S1 A B 1
S2 C B 1
A x 0.6
A y 0.3998
C x 0.2
C y 0.8
B z 0.5005
B x 0.5
`;
// The same shape with dyadic weights summing to exactly 1 per LHS: normalising changes no bit.
const EXACT_RULES = `S S1 0.5
S S2 0.5
S1 A B 1
S2 C B 1
A x 0.625
A y 0.375
C x 0.25
C y 0.75
B z 0.5
B x 0.5
`;

describe('raw rule weights in the charts (the original code\'s way)', () => {
  const g = parseRuleText(OFF_RULES);
  const raw = rawWeightGrammar(g);
  const xz = encodeSentence(g, 'x z');

  it('ln P(x) is the sum over derivations of the products of the weights as written', () => {
    // derivations of "x z": S -> S1 -> A B, A -> x, B -> z and S -> S2 -> C B, C -> x, B -> z
    const rawP = 0.49995 * 0.6 * 0.5005 + 0.49995 * 0.2 * 0.5005;
    const normP = 0.5 * (0.6 / 0.9998) * (0.5005 / 1.0005) + 0.5 * 0.2 * (0.5005 / 1.0005);
    expect(sentenceLogProb(insideChart(raw, xz))).toBeCloseTo(Math.log(rawP), 13);
    expect(sentenceLogProb(insideChart(g, xz))).toBeCloseTo(Math.log(normP), 13);
    expect(trueConditionals(raw, xz).logProb).toBeCloseTo(Math.log(rawP), 13);
    // Viterbi: the S1 derivation wins either way; its log-probability is the raw product
    expect(viterbiParse(raw, xz).logProb).toBeCloseTo(Math.log(0.49995 * 0.6 * 0.5005), 13);
  });

  it('p* at a position moves exactly as the per-LHS sums predict', () => {
    // p*(v | _ z) is proportional to prior(S1) P(A -> v) + prior(S2) P(C -> v) (B -> z is common to both)
    const pStarX = (a: number, c: number, ay: number, cy: number) => (a + c) / (a + c + ay + cy);
    const x = terminalId(g, 'x');
    const T = g.terminals.length;
    const rawRow = trueConditionals(raw, xz).pStar.subarray(0, T);
    const normRow = trueConditionals(g, xz).pStar.subarray(0, T);
    expect(rawRow[x]).toBeCloseTo(pStarX(0.49995 * 0.6, 0.49995 * 0.2, 0.49995 * 0.3998, 0.49995 * 0.8), 13);
    expect(normRow[x]).toBeCloseTo(pStarX(0.5 * 0.6 / 0.9998, 0.5 * 0.2, 0.5 * 0.3998 / 0.9998, 0.5 * 0.8), 13);
    expect(Math.abs(rawRow[x]! - normRow[x]!)).toBeGreaterThan(1e-5);
  });

  it('agrees bit for bit with the normalised charts when every LHS sums to exactly 1', () => {
    const exact = parseRuleText(EXACT_RULES);
    const exactRaw = rawWeightGrammar(exact);
    const batch = sampleSentences(exact, key(1), 50);
    expect(corpusStats(exactRaw, batch)).toEqual(corpusStats(exact, batch));
    expect(trueConditionals(exactRaw, xz).pStar).toEqual(trueConditionals(exact, xz).pStar);
    // and differs where the sums are off
    const offBatch = sampleSentences(g, key(1), 50);
    expect(corpusStats(raw, offBatch).optimalLoss).not.toBe(corpusStats(g, offBatch).optimalLoss);
  });

  it('is cached per grammar (so its chart tables are built once)', () => {
    expect(rawWeightGrammar(g)).toBe(raw);
  });

  it('task labels follow the raw weights: a tie after normalising is broken by the weights as written', async () => {
    // every sentence is "x x y z w"; span [0,2) is P -> A A (0.9995) or R -> A A (1.0005): normalised
    // both are 1 and the tie goes to P (first in label order); raw, R wins
    const tie = 'S S1 0.5\nS S2 0.5\nS1 P Q 1\nS2 R Q 1\nP A A 0.9995\nR A A 1.0005\nQ C D 1\nD E F 1\nA x 1\nC y 1\nE z 1\nF w 1\n';
    const dir = makeTmpDir();
    const rules = join(dir, 'tie.txt');
    writeFileSync(rules, tie);
    const tasks = async (...flags: string[]) =>
      JSON.parse((await runCli(['pcfg', 'tasks', '--rules', rules, '--task', 'C', '--sentences', '3', '--out', join(dir, 'c.csv'), '--json', ...flags])).out);
    expect((await tasks()).majorityLabel).toBe('P');
    expect((await tasks('--raw-weights')).majorityLabel).toBe('R');
  });

  it('pcfg parse / stats --raw-weights use the raw weights; without the flag, the normalised ones', async () => {
    const dir = makeTmpDir();
    const rules = join(dir, 'off.txt');
    writeFileSync(rules, OFF_RULES);
    const parse = async (...flags: string[]) => JSON.parse((await runCli(['pcfg', 'parse', '--rules', rules, '--sentence', 'x z', '--json', ...flags])).out);
    const rawParse = await parse('--raw-weights');
    expect(rawParse.weights).toBe('raw');
    expect(rawParse.logProb).toBe(sentenceLogProb(insideChart(raw, xz)));
    const normParse = await parse();
    expect(normParse.weights).toBe('normalised');
    expect(normParse.logProb).toBe(sentenceLogProb(insideChart(g, xz)));

    const stats = async (...flags: string[]) => JSON.parse((await runCli(['pcfg', 'stats', '--rules', rules, '--sentences', '40', '--seed', '2', '--json', ...flags])).out);
    const batch = sampleSentences(g, key(2), 40);
    expect((await stats('--raw-weights')).optimalLoss).toBe(corpusStats(raw, batch).optimalLoss);
    expect((await stats()).optimalLoss).toBe(corpusStats(g, batch).optimalLoss);
  });
});
