import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../helpers/runCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pretext-train-'));
const corpus = join(dir, 'corpus');
const config = join(dir, 'config.json');

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);

beforeAll(async () => {
  const gen = await run(['pcfg', 'generate', '--out', corpus, '--grammar-seed', '3', '--sentences', '400', '--seed', '1', '--seq-len', '14', '--valid-sentences', '40']);
  expect(gen.code).toBe(0);
  writeFileSync(config, JSON.stringify({
    model: { hidden: 16, layers: 2, heads: 2, ffn: 32, dropout: 0.1, attentionDropout: 0.1 },
    objectiveOptions: { masking: { kind: 'exact', prob: 0.2 } },
    train: { batchSize: 16, logEvery: 1, evalEvery: 0, checkpointEvery: 3, validBatches: 1, schedule: { kind: 'constant', lr: 0.003, warmupSteps: 2 } },
  }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pretext train', () => {
  it('resuming from a checkpoint continues bit for bit', async () => {
    const a = await run(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', '6', '--out', join(dir, 'a'), '--config', config, '--no-progress', '--json']);
    expect(a.code, a.err).toBe(0);
    const b1 = await run(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', '3', '--out', join(dir, 'b'), '--config', config, '--no-progress']);
    expect(b1.code, b1.err).toBe(0);
    const b2 = await run(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', '6', '--out', join(dir, 'b'), '--config', config, '--no-progress', '--resume']);
    expect(b2.code, b2.err).toBe(0);
    const la = lines(join(dir, 'a', 'log.jsonl')).filter((l) => l['loss'] !== undefined);
    const lb = lines(join(dir, 'b', 'log.jsonl')).filter((l) => l['loss'] !== undefined);
    expect(la.map((l) => l['update'])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lb.map((l) => [l['update'], l['loss'], l['gnorm']])).toEqual(la.map((l) => [l['update'], l['loss'], l['gnorm']]));
    const weights = (run: string) => readFileSync(join(dir, run, 'step-000006', 'model.safetensors'));
    expect(weights('b').equals(weights('a'))).toBe(true);
    const summary = JSON.parse(a.out) as { steps: number; validLoss: number };
    expect(summary.steps).toBe(6);
    expect(Number.isFinite(summary.validLoss)).toBe(true);
  });

  it('rejects an unknown config key, naming it, and an unknown objective, listing the known ones', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ train: { batchsize: 8 } }));
    const r = await run(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', '2', '--out', join(dir, 'c'), '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('batchsize');
    const o = await run(['train', '--objective', 'bert', '--corpus', corpus, '--steps', '2', '--out', join(dir, 'c')]);
    expect(o.code).toBe(2);
    expect(o.err).toMatch(/unknown objective "bert".*mlm.*electra/);
  });
});

describe('Ctrl-C', () => {
  it('stops after the current update, writes a checkpoint, exits 130; --resume finishes the run', async () => {
    const { spawn } = await import('node:child_process');
    const { existsSync, readdirSync } = await import('node:fs');
    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, ['bin/pretext.mjs', 'train', '--objective', 'mlm', '--corpus', corpus, '--steps', '400', '--out', out, '--config', config, '--no-progress'], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // interrupt once training is under way (the log has lines)
    const code = await new Promise<number | null>((resolve) => {
      const timer = setInterval(() => {
        if (existsSync(join(out, 'log.jsonl')) && readFileSync(join(out, 'log.jsonl'), 'utf8').split('\n').length > 3) {
          clearInterval(timer);
          child.kill('SIGINT');
        }
      }, 50);
      child.on('exit', (c) => {
        clearInterval(timer);
        resolve(c);
      });
    });
    expect(code).toBe(130);
    const steps = readdirSync(out).filter((f) => /^step-\d+$/.test(f)).map((f) => Number(f.slice(5)));
    const last = Math.max(...steps);
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThan(400);
    const done = lines(join(out, 'log.jsonl')).filter((l) => l['loss'] !== undefined);
    expect(done[done.length - 1]!['update']).toBe(last);
    const resumed = await run(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', String(last + 2), '--out', out, '--config', config, '--no-progress', '--resume', '--json']);
    expect(resumed.code, resumed.err).toBe(0);
    expect((JSON.parse(resumed.out) as { steps: number }).steps).toBe(last + 2);
  });
});
