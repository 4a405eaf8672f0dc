import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatRuleText, optimalSingleMaskLoss, sampleDownstreamSentences, sampleSentences, taskClassNames, writeGrammarFile } from '../../corpora/pcfg/index.ts';
import { formatVocabText } from '../../corpora/tokenizer/index.ts';
import { BUDGET_MASKING, excessLoss, linearProbe, mlmHessianTrace, pcfgMlmPool, pcfgProbeData } from '../../eval/index.ts';
import { checkpointConfig, saveCheckpoint, saveRunCheckpoint } from '../../models/checkpoint/index.ts';
import { foldIn, key } from '../../prng/key.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { tinyEncoderConfig, tinyGrammar, tinyView, tinyVocab } from './fixtures.ts';
import { runCli as run } from '../helpers/runCli.ts';

afterEach(() => vi.restoreAllMocks());

describe('pretext eval loss', () => {
  const grammar = tinyGrammar(4);
  const vocab = tinyVocab(grammar);
  const config = tinyEncoderConfig(vocab, { maxPositions: 20 });
  const view = tinyView(config, 8);
  const params = { encoder: view.encoder, mlmHead: view.mlmHead };
  const root = makeTmpDir('pretext-evalcli-');

  it('--json prints loss, optimalLoss and excessLoss of the validation sentences, as the library computes them', async () => {
    const dir = join(root, 'ckpt');
    // grammar and vocab embedded in the config's own terms: grammar by file, vocab by tokens
    saveCheckpoint(dir, {
      config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { tokens: [...vocab.tokens] }, grammar: { file: 'grammar.txt' } }),
      params, trainer: { step: 40 }, files: { 'grammar.txt': formatRuleText(grammar) },
    });
    const { code, out, err } = await run(['eval', 'loss', '--checkpoint', dir, '--sentences', '25', '--seed', '6', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const j = JSON.parse(out);
    const sentences = sampleSentences(grammar, foldIn(key(6), 1), 25, { maxLength: 18 });
    const ref = excessLoss(view, { grammar, vocab, sentences, seqLen: 20 });
    expect(j.loss).toBeCloseTo(ref.loss, 10);
    expect(j.optimalLoss).toBeCloseTo(ref.optimalLoss, 12);
    expect(j.excessLoss).toBeCloseTo(j.loss - j.optimalLoss, 12);
    expect(j.stdErr).toBe(j.excessLossStdErr);
    expect(j.positions).toBe(sentences.tokens.length);
    expect(j).toMatchObject({ step: 40, objective: 'mlm', sentences: 25, seqLen: 20, seed: 6 });
    // the optimal loss agrees with the corpora module's independent estimate on the same sentences
    expect(j.optimalLoss).toBeCloseTo(optimalSingleMaskLoss(grammar, sentences).loss, 12);
  });

  it('accepts a run directory and --rules, and prints a readable summary', async () => {
    const runDir = join(root, 'run');
    saveRunCheckpoint(runDir, 7, {
      config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { file: 'vocab.txt' } }),
      params, trainer: { step: 7 }, files: { 'vocab.txt': formatVocabText(vocab) },
    });
    const rules = join(root, 'rules.txt');
    writeGrammarFile(rules, grammar);
    const { code, out } = await run(['eval', 'loss', '--checkpoint', runDir, '--rules', rules, '--sentences', '10']);
    expect(code).toBe(0);
    expect(out).toContain('step-000007 (step 7)');
    expect(out).toMatch(/excess loss: +\d+\.\d{4} ± \d/);
  });

  it('fails with a message when no grammar is known, or the checkpoint does not exist', async () => {
    const dir = join(root, 'nogrammar');
    saveCheckpoint(dir, { config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { tokens: [...vocab.tokens] } }), params });
    const a = await run(['eval', 'loss', '--checkpoint', dir, '--sentences', '5']);
    expect(a.code).toBe(2);
    expect(a.err).toContain('--grammar-seed');
    const b = await run(['eval', 'loss', '--checkpoint', join(root, 'missing'), '--sentences', '5']);
    expect(b.code).toBe(2);
    expect(b.err).toContain(join(root, 'missing'));
  });
});

describe('pretext eval probe / eval hessian', () => {
  const grammar = tinyGrammar(4);
  const vocab = tinyVocab(grammar);
  const config = tinyEncoderConfig(vocab, { maxPositions: 20 });
  const view = tinyView(config, 8);
  const dir = join(makeTmpDir('pretext-evalcli-'), 'ckpt');
  saveCheckpoint(dir, {
    config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { tokens: [...vocab.tokens] }, grammar: { file: 'grammar.txt' } }),
    params: { encoder: view.encoder, mlmHead: view.mlmHead }, files: { 'grammar.txt': formatRuleText(grammar) },
  });

  it('probe --json reports per-epoch accuracy as the library computes it on `pcfg tasks` sentences', async () => {
    const { code, out, err } = await run(['eval', 'probe', '--checkpoint', dir, '--task', 'A', '--train', '40', '--valid', '20', '--seed', '3', '--epochs', '2', '--batch', '16', '--seq-len', '12', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const j = JSON.parse(out);
    const all = sampleDownstreamSentences(grammar, key(3), 60);
    const cut = (a: number, b: number) => ({ tokens: all.tokens.subarray(all.offsets[a]!, all.offsets[b]!), offsets: Int32Array.from(all.offsets.subarray(a, b + 1), (o) => o - all.offsets[a]!) });
    const ref = linearProbe({ params: view.encoder, config }, pcfgProbeData(grammar, vocab, 'A', cut(0, 40), 12), pcfgProbeData(grammar, vocab, 'A', cut(40, 60), 12), {
      numLabels: taskClassNames(grammar, 'A').length, key: foldIn(key(3), 1), epochs: 2, batchSize: 16,
    });
    expect(j.epochs).toEqual(ref.epochs);
    expect(j).toMatchObject({ task: 'A', train: 40, valid: 20, classes: taskClassNames(grammar, 'A').length, finalAccuracy: ref.finalAccuracy });
  });

  it('hessian --json reports the trace the library estimates on `pcfg generate` training sentences', async () => {
    const { code, out } = await run(['eval', 'hessian', '--checkpoint', dir, '--samples', '3', '--batch', '4', '--pool', '20', '--seed', '5', '--seq-len', '12', '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    const sentences = sampleSentences(grammar, foldIn(key(5), 0), 20, { maxLength: 10 });
    const ref = mlmHessianTrace(view, pcfgMlmPool(grammar, vocab, sentences, 12, BUDGET_MASKING, 5), { samples: 3, batchSize: 4, key: foldIn(key(5), 2) });
    expect(j.trace).toBe(ref.trace);
    expect(j).toMatchObject({ samples: 3, dimension: ref.dimension, pool: 20 });
  });
});
