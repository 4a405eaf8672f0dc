import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';

const dir = makeTmpDir('pretext-demo-interrupt-');
const out = join(dir, 'demo');
const STEPS = 8; // checkpoints every 2 updates
const demoArgs = (objectives: string) => ['demo', '--out', out, '--steps', String(STEPS), '--sentences', '200', '--eval-sentences', '3', '--objectives', objectives];
const stepDirs = (run: string) => readdirSync(run).filter((n) => /^step-\d+$/.test(n)).map((n) => Number(n.slice(5))).sort((a, b) => a - b);

async function run(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    return { code: await main(args), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('Ctrl-C in the demo', () => {
  it('stops the whole job with exit 130, marks the cut-short run, and a rerun resumes it', async () => {
    const child = spawn(process.execPath, ['bin/pretext.mjs', ...demoArgs('mlm,taco'), '--quiet'], { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const mlm = join(out, 'runs', 'mlm');
    // a real SIGINT once mlm's first checkpoint exists (training is under way)
    const code = await new Promise<number | null>((resolve) => {
      const timer = setInterval(() => {
        if (existsSync(join(mlm, 'step-000002'))) {
          clearInterval(timer);
          child.kill('SIGINT');
        }
      }, 20);
      child.on('exit', (c) => {
        clearInterval(timer);
        resolve(c);
      });
    });
    expect(code, stderr).toBe(130);
    const cut = Math.max(...stepDirs(mlm));
    expect(cut).toBeGreaterThanOrEqual(2);
    expect(cut).toBeLessThan(STEPS);
    expect(existsSync(join(out, 'runs', 'taco'))).toBe(false); // the next objective never started
    const rows = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ objective: 'mlm', steps: cut, run: `cut short at ${cut} of ${STEPS} (Ctrl-C)` });
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toMatch(/stopped by Ctrl-C before taco: rerun the same command to resume/);

    // a rerun with other settings is refused, naming the flag, and changes nothing
    const corpusStamp = statSync(join(out, 'corpus', 'manifest.json')).mtimeMs;
    const other = await run(['demo', '--out', out, '--steps', String(STEPS + 1), '--sentences', '200', '--objectives', 'mlm']);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/holds a demo made with --steps 8, not 9/);

    // the same command resumes: the corpus is kept, mlm continues from its checkpoint
    const again = await run(demoArgs('mlm'));
    expect(again.code, again.err).toBe(0);
    expect(again.err).toContain(`demo: resuming mlm at step ${cut} of ${STEPS}`);
    expect(statSync(join(out, 'corpus', 'manifest.json')).mtimeMs).toBe(corpusStamp);
    expect(Math.max(...stepDirs(mlm))).toBe(STEPS);
    const log = readFileSync(join(mlm, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.filter((l) => l['event'] === 'resume')).toEqual([{ event: 'resume', step: cut }]);
    const updates = log.filter((l) => 'loss' in l).map((l) => l['update'] as number);
    expect(new Set(updates).size).toBe(updates.length); // no update logged twice
    const resumed = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Record<string, unknown>[];
    expect(resumed).toMatchObject([{ objective: 'mlm', steps: STEPS, run: 'complete' }]);
  }, 120_000);
});
