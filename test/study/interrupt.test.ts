import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStudy } from '../../study/load.ts';
import { runStudy } from '../../study/runStudy.ts';
import { TINY_BASE, studyFixture, writeStudy } from './fixture.ts';

const ROOT = join(import.meta.dirname, '../..');
let dir = '';
let file = '';
beforeAll(async () => {
  ({ dir } = await studyFixture('pretext-study-sigint-'));
  const base = { ...TINY_BASE, objective: 'mlm', train: { ...TINY_BASE.train, logEvery: 5, evalEvery: 0, checkpointEvery: 20 }, budget: { steps: 150 } };
  file = writeStudy(dir, 'interrupt', `export default defineStudy({ name: 'interrupt', base: ${JSON.stringify(base)}, runs: grid({ seed: [0, 1] }) });`);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function studyRun(out: string, onOutput?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, ['bin/pretext.mjs', 'study', 'run', file, '--out', out, '--parallel', '2', '--no-progress'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  onOutput?.(child);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, err })));
}

const logLines = (runDir: string) => {
  const f = join(runDir, 'train', 'log.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
};

describe('study run --parallel 2 and Ctrl-C', () => {
  it('SIGINT stops both workers with checkpoints (exit 130); running again resumes and ends with the bits of an uninterrupted run', async () => {
    const out = join(dir, 'out');
    const runsDir = join(out, 'interrupt', 'runs');
    const stopped = await studyRun(out, (child) => {
      const timer = setInterval(() => {
        const runs = existsSync(runsDir) ? readdirSync(runsDir) : [];
        // interrupt once both runs are training (their logs have lines)
        if (runs.length === 2 && runs.every((r) => logLines(join(runsDir, r)).some((l) => typeof l['loss'] === 'number'))) {
          clearInterval(timer);
          child.kill('SIGINT');
        }
      }, 50);
      child.on('exit', () => clearInterval(timer));
    });
    expect(stopped.code, stopped.err).toBe(130);
    expect(stopped.err).toContain('run the same command again to resume');
    const runs = readdirSync(runsDir);
    expect(runs).toHaveLength(2);
    for (const r of runs) {
      expect(existsSync(join(runsDir, r, 'done.json'))).toBe(false);
      expect(readdirSync(join(runsDir, r, 'train')).some((n) => /^step-\d+$/.test(n))).toBe(true);
    }

    const resumed = await studyRun(out);
    expect(resumed.code, resumed.err).toBe(0);
    const reference = await runStudy(await loadStudy(file), { out: join(dir, 'reference'), parallel: 1, progress: false });
    for (const r of reference.results.plan.runs) {
      const mine = join(runsDir, r.id);
      expect(existsSync(join(mine, 'done.json'))).toBe(true);
      const updates = logLines(mine).filter((l) => typeof l['loss'] === 'number').map((l) => l['update']);
      expect(updates).toEqual(Array.from({ length: 30 }, (_, i) => 5 * (i + 1)));
      const weights = (runDir: string) => readFileSync(join(runDir, 'train', 'step-000150', 'model.safetensors'));
      expect(weights(mine).equals(weights(r.runDir))).toBe(true);
    }
  }, 180_000);
});
