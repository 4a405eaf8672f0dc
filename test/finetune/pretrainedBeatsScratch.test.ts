import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { pretrainedCheckpoint, runCli } from './fixtures.ts';

describe('pretext finetune on PCFG task B', () => {
  const root = makeTmpDir('pretext-finetune-');

  it('a pretrained tiny MLM fine-tunes past the majority baseline and past the same architecture from random init', async () => {
    const ckpt = pretrainedCheckpoint(root, 300);
    const args = ['--checkpoint', ckpt, '--task', 'B', '--train', '150', '--valid', '200', '--seed', '1', '--seq-len', '12',
      '--epochs', '20', '--batch', '32', '--lr', '3e-3', '--warmup', '10', '--eval-every', '0', '--json'];
    const pre = await runCli(['finetune', ...args, '--out', join(root, 'ft-pretrained')]);
    expect(pre.err).toBe('');
    expect(pre.code).toBe(0);
    const scratch = await runCli(['finetune', ...args, '--out', join(root, 'ft-scratch'), '--from-scratch']);
    expect(scratch.code).toBe(0);
    const p = JSON.parse(pre.out);
    const s = JSON.parse(scratch.out);
    expect(p).toEqual(JSON.parse(readFileSync(join(root, 'ft-pretrained', 'results.json'), 'utf8')));
    expect(p.epochs).toHaveLength(20);
    expect(p.majority).toBe(s.majority);
    expect(p.majority).toBeLessThan(0.35);
    // measured: best 0.455 pretrained, 0.27 from scratch, majority 0.27
    expect(p.bestAccuracy).toBeGreaterThan(p.majority + 0.12);
    expect(p.bestAccuracy).toBeGreaterThan(s.bestAccuracy + 0.1);
    // the selected checkpoint is the best evaluation's
    expect(p.best.accuracy).toBe(p.bestAccuracy);
  }, 120_000);
});
