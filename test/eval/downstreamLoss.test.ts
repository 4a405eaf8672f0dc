import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleText, Q_EPSILON, rawWeightGrammar, sampleSentences, sentenceCount } from '../../corpora/pcfg/index.ts';
import { excessLoss, scoreConditionals } from '../../eval/index.ts';
import { checkpointConfig, saveCheckpoint } from '../../models/checkpoint/index.ts';
import { foldIn, key } from '../../prng/index.ts';
import { runCli } from '../helpers/runCli.ts';
import { H09, TWO_LENGTHS } from '../corpora/pcfg/twoLengths.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { tinyEncoderConfig, tinyView, tinyVocab } from './fixtures.ts';

// TWO_LENGTHS with the first two words of a 6-word sentence from E or from F, and F's weights
// summing to 0.9995: p* there mixes two left-hand sides, so raw weights move the optimal loss.
const MIXED = TWO_LENGTHS.replace('B E E 1\n', 'B E E 0.5\nB F F 0.5\nF x 0.3\nF y 0.6995\n');

describe('scoreConditionals on the downstream subset (what calculate_loss.py reads)', () => {
  it('reports loss, optimal and excess over 4 < length < 32 beside the all-lengths figures', () => {
    const g = parseRuleText(TWO_LENGTHS);
    const sentences = sampleSentences(g, key(5), 120);
    const lengths = Array.from({ length: sentenceCount(sentences) }, (_, s) => sentences.offsets[s + 1]! - sentences.offsets[s]!);
    const long = lengths.filter((n) => n === 6).length;
    expect(long).toBeGreaterThan(20);
    expect(long).toBeLessThan(100);
    const positions = lengths.reduce((a, n) => a + n, 0);
    // a model that says 1/2 for each of the two words everywhere: loss -ln(1/2 + 1e-12) at every position
    const q = new Float64Array(positions * g.terminals.length).fill(0.5);
    const perPosition = -Math.log(0.5 + Q_EPSILON);
    const r = scoreConditionals(g, sentences, q);
    const allOptimal = ((positions - 6 * long) * Math.log(2) + 6 * long * H09) / positions;
    expect(r.loss).toBeCloseTo(perPosition, 12);
    expect(r.optimalLoss).toBeCloseTo(allOptimal, 12);
    expect(r.positions).toBe(positions);
    expect(r.sentences).toBe(120);
    expect(r.downstream).toMatchObject({ sentences: long, positions: 6 * long });
    expect(r.downstream.loss).toBeCloseTo(perPosition, 12);
    expect(r.downstream.optimalLoss).toBeCloseTo(H09, 12);
    expect(r.downstream.excessLoss).toBeCloseTo(perPosition - H09, 12);
    expect(r.excessLoss).toBeCloseTo(perPosition - allOptimal, 12);
  });
});

describe('pretext eval loss: the downstream subset and --raw-weights', () => {
  it('--json carries downstream {loss, optimalLoss, excessLoss, ...}; --raw-weights scores against the raw-weight p*', async () => {
    const g = parseRuleText(MIXED);
    const vocab = tinyVocab(g);
    const config = tinyEncoderConfig(vocab, { maxPositions: 20 });
    const view = tinyView(config, 8);
    const dir = makeTmpDir('pretext-evaldown-');
    const ckpt = join(dir, 'ckpt');
    saveCheckpoint(ckpt, { config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { tokens: [...vocab.tokens] } }), params: { encoder: view.encoder, mlmHead: view.mlmHead } });
    const rules = join(dir, 'mixed.txt');
    writeFileSync(rules, MIXED);
    const args = ['eval', 'loss', '--checkpoint', ckpt, '--rules', rules, '--sentences', '30', '--seed', '2'];
    const sentences = sampleSentences(g, foldIn(key(2), 1), 30, { maxLength: 18 });
    const raw = JSON.parse((await runCli([...args, '--raw-weights', '--json'])).out);
    const norm = JSON.parse((await runCli([...args, '--json'])).out);
    const refRaw = excessLoss(view, { grammar: rawWeightGrammar(g), vocab, sentences, seqLen: 20 });
    const refNorm = excessLoss(view, { grammar: g, vocab, sentences, seqLen: 20 });
    for (const [j, ref] of [[raw, refRaw], [norm, refNorm]] as const) {
      expect(j.optimalLoss).toBeCloseTo(ref.optimalLoss, 12);
      expect(j.downstream.sentences).toBe(ref.downstream.sentences);
      expect(j.downstream.positions).toBe(ref.downstream.positions);
      expect(j.downstream.loss).toBeCloseTo(ref.downstream.loss, 12);
      expect(j.downstream.optimalLoss).toBeCloseTo(ref.downstream.optimalLoss, 12);
      expect(j.downstream.excessLoss).toBeCloseTo(ref.downstream.excessLoss, 12);
    }
    expect(raw.downstream.sentences).toBeGreaterThan(5);
    expect(raw.downstream.sentences).toBeLessThan(30);
    expect(Math.abs(raw.downstream.optimalLoss - norm.downstream.optimalLoss)).toBeGreaterThan(1e-6);
    const { code, out } = await runCli(args);
    expect(code).toBe(0);
    expect(out).toContain(`downstream subset (4 < length < 32, ${norm.downstream.sentences} sentences, ${norm.downstream.positions} positions): loss ${norm.downstream.loss.toFixed(4)}`);
  });
});
