import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTmpDir } from '../../../corpora/tmpDir.ts';
import { runCli } from '../../../helpers/runCli.ts';
import { dawnEnv } from './dawnChild.ts';

const dir = makeTmpDir('pretext-webgpu-train-');
const corpus = join(dir, 'corpus');
const config = join(dir, 'tiny.json');
const BIN = new URL('../../../../bin/pretext.mjs', import.meta.url).pathname;

beforeAll(async () => {
  const gen = await runCli(['pcfg', 'generate', '--out', corpus, '--grammar-seed', '3', '--sentences', '120', '--seed', '1', '--seq-len', '14', '--valid-sentences', '20']);
  expect(gen.code).toBe(0);
  writeFileSync(config, JSON.stringify({ model: { hidden: 16, layers: 1, heads: 2, ffn: 32 }, train: { batchSize: 4, logEvery: 1, evalEvery: 0, checkpointEvery: 0, validBatches: 1 } }));
});

/** `pretext train` in its own process (Dawn needs the Vulkan environment at start); the losses it logged. */
function train(backend: string, out: string): { status: number | null; stderr: string; losses: number[] } {
  const args = [BIN, 'train', '--objective', 'mlm', '--corpus', corpus, '--steps', '3', '--out', join(dir, out), '--config', config, '--backend', backend, '--no-progress', '--json'];
  const r = spawnSync(process.execPath, args, { env: dawnEnv(), encoding: 'utf8', timeout: 300_000 });
  const log = r.status === 0 ? readFileSync(join(dir, out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { loss?: number }) : [];
  return { status: r.status, stderr: r.stderr, losses: log.filter((l) => l.loss !== undefined).map((l) => l.loss!) };
}

describe('pretext train --backend webgpu', () => {
  it('trains (and exits) with the losses of --backend cpu', () => {
    const gpu = train('webgpu', 'gpu');
    expect(gpu.status, gpu.stderr).toBe(0);
    const cpu = train('cpu', 'cpu');
    expect(cpu.status, cpu.stderr).toBe(0);
    expect(gpu.losses).toHaveLength(3);
    gpu.losses.forEach((l, i) => expect(Math.abs(l - cpu.losses[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu.losses[i]!))));
  });

  it('an unknown backend is an error naming the flag', async () => {
    const r = await runCli(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', '1', '--out', join(dir, 'bad'), '--backend', 'cuda']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/backend/);
  });
});
