import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatRuleText, sampleSentences } from '../../corpora/pcfg/index.ts';
import { BUDGET_MASKING, mlmHessianTrace, pcfgMlmPool } from '../../eval/index.ts';
import { checkpointConfig, saveCheckpoint } from '../../models/checkpoint/index.ts';
import { foldIn, key } from '../../prng/key.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { tinyEncoderConfig, tinyGrammar, tinyView, tinyVocab } from './fixtures.ts';
import { runCli as run } from '../helpers/runCli.ts';

afterEach(() => vi.restoreAllMocks());

describe('eval hessian takes its row length from the checkpoint', () => {
  // the demo's checkpoints: 20 positions (their training rows), fewer than the old fixed default of 32
  const grammar = tinyGrammar(4);
  const vocab = tinyVocab(grammar);
  const config = tinyEncoderConfig(vocab, { maxPositions: 20 });
  const view = tinyView(config, 8);
  const dir = join(makeTmpDir('pretext-hessian-'), 'ckpt');
  saveCheckpoint(dir, {
    config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { tokens: [...vocab.tokens] }, grammar: { file: 'grammar.txt' } }),
    params: { encoder: view.encoder, mlmHead: view.mlmHead }, files: { 'grammar.txt': formatRuleText(grammar) },
  });

  it('without --seq-len, rows are as long as the model\'s positions (the trace the library computes at 20)', async () => {
    const { code, out, err } = await run(['eval', 'hessian', '--checkpoint', dir, '--samples', '2', '--batch', '4', '--pool', '10', '--seed', '5', '--json']);
    expect(code, err).toBe(0);
    const j = JSON.parse(out);
    expect(j.seqLen).toBe(20);
    const sentences = sampleSentences(grammar, foldIn(key(5), 0), 10, { maxLength: 18 });
    const ref = mlmHessianTrace(view, pcfgMlmPool(grammar, vocab, sentences, 20, BUDGET_MASKING, 5), { samples: 2, batchSize: 4, key: foldIn(key(5), 2) });
    expect(j.trace).toBe(ref.trace);
  });

  it('--seq-len beyond the positions is an error naming the flag and both lengths', async () => {
    const { code, err } = await run(['eval', 'hessian', '--checkpoint', dir, '--samples', '2', '--batch', '4', '--pool', '10', '--seq-len', '24']);
    expect(code).toBe(2);
    expect(err).toContain(`--seq-len 24 is longer than the 20 positions of ${dir}`);
  });
});
