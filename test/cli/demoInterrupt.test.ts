import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STUDY_API, TINY_BASE, studyFixture, writeStudy } from '../study/fixture.ts';
import { runCli as run } from '../helpers/runCli.ts';

// `pretext demo` (npm start) runs a study and writes results.md beside its figures; here on a tiny
// study (--study) instead of studies/objectives.ts, which takes minutes.
let dir = '';
let studyFile = '';
const STEPS = 60; // checkpoints every 2 updates
beforeAll(async () => {
  ({ dir } = await studyFixture('pretext-demo-'));
  studyFile = writeStudy(dir, 'tiny', `import { probe } from '${STUDY_API}';
  export default defineStudy({
    name: 'tiny', base: ${JSON.stringify({ ...TINY_BASE, objective: 'mlm', budget: { steps: STEPS } })},
    runs: grid({ seed: [0, 1] }),
    evaluate: [excessLoss({ sentences: 4, seqLen: 14 }), probe({ task: 'B', train: 40, valid: 20, epochs: 1, seqLen: 14 })],
  });`);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stepDirs = (run: string) => (existsSync(run) ? readdirSync(run).filter((n) => /^step-\d+$/.test(n)).map((n) => Number(n.slice(5))) : []);

describe('pretext demo', () => {
  it('Ctrl-C stops it with exit 130 and checkpoints; the same command resumes and writes results.md (comparable columns) beside the figures', async () => {
    const out = join(dir, 'out');
    const args = ['demo', '--study', studyFile, '--out', out, '--quiet'];
    const child = spawn(process.execPath, ['bin/pretext.mjs', ...args], { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const runsDir = join(out, 'tiny', 'runs');
    const trainDirs = () => (existsSync(runsDir) ? readdirSync(runsDir).map((id) => join(runsDir, id, 'train')) : []);
    // a real SIGINT once the first run's first checkpoint exists (training is under way)
    const code = await new Promise<number | null>((resolve) => {
      const timer = setInterval(() => {
        if (trainDirs().some((d) => stepDirs(d).length > 0)) {
          clearInterval(timer);
          child.kill('SIGINT');
        }
      }, 10);
      child.on('exit', (c) => {
        clearInterval(timer);
        resolve(c);
      });
    });
    expect(code, stderr).toBe(130);
    expect(trainDirs()).toHaveLength(1); // the second run never started
    const cut = Math.max(...stepDirs(trainDirs()[0]!));
    expect(cut).toBeGreaterThanOrEqual(2);
    expect(cut).toBeLessThan(STEPS);
    expect(readFileSync(join(out, 'tiny', 'results.md'), 'utf8')).toMatch(/0\/2 runs finished \(not yet: .*run the same command again to resume\)/);

    const again = await run(args);
    expect(again.code, again.err).toBe(0);
    for (const d of trainDirs()) expect(Math.max(...stepDirs(d))).toBe(STEPS);
    const log = readFileSync(join(trainDirs()[0]!, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.filter((l) => l['event'] === 'resume')).toEqual([{ event: 'resume', step: cut }]);

    // results.md: one row per objective (seeds averaged), the comparable columns only, figures beside it
    const md = readFileSync(join(out, 'tiny', 'results.md'), 'utf8');
    const [header, , row] = md.split('\n');
    expect(header).toBe('| objective | runs | excess_loss | probeB_best_accuracy | train_seconds |');
    const cells = row!.split('|').map((c) => c.trim()).filter(Boolean);
    expect(cells.slice(0, 2)).toEqual(['mlm', '2']);
    const results = JSON.parse(readFileSync(join(out, 'tiny', 'results.json'), 'utf8')) as { metric: string; value: number; seed: number }[];
    const excess = results.filter((r) => r.metric === 'excess_loss').map((r) => r.value);
    expect(excess).toHaveLength(2);
    const mean = (excess[0]! + excess[1]!) / 2;
    expect(Number(cells[2]!.split(' ± ')[0])).toBeCloseTo(mean, 3);
    expect(md).toContain('2/2 runs finished');
    expect(again.out).toContain(`results in ${join(out, 'tiny', 'results.md')}; figures in ${join(out, 'tiny', 'figures')}/`);
    expect(readdirSync(join(out, 'tiny', 'figures')).some((f) => f.endsWith('.svg'))).toBe(true);
  }, 180_000);
});
