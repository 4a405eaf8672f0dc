// `pretext study slurm`: the sbatch script is checked by running its array tasks here, as Slurm
// would (SLURM_ARRAY_TASK_ID set, the wave's offset as argument), then collecting the results.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStudy } from '../../study/load.ts';
import { runStudy } from '../../study/runStudy.ts';
import { TINY_BASE, studyFixture, writeStudy } from './fixture.ts';
import { runCli as cli } from '../helpers/runCli.ts';

const TIMING = new Set(['ms', 'tokens_per_s', 'train_seconds']);

let dir = '';
let file = '';
beforeAll(async () => {
  ({ dir } = await studyFixture('pretext-slurm-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  const { objectiveOptions, ...base } = { ...TINY_BASE, budget: { steps: 3 } };
  const mlm = (seed: number) => JSON.stringify({ objective: 'mlm', objectiveOptions, seed });
  // the SE run continues the seed-0 MLM run: it goes in a second array, after the first
  file = writeStudy(dir, 'cluster', `export default defineStudy({ name: 'cluster', base: ${JSON.stringify(base)}, runs: [${mlm(0)}, ${mlm(1)}, { objective: 'se', budget: { steps: 2 }, init: ${mlm(0)} }], evaluate: [evaluation('twiceStep', (ctx) => 2 * ctx.step)] });`);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bash(command: string, env: Record<string, string> = {}): Promise<{ code: number | null; err: string }> {
  const child = spawn('bash', ['-c', command], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stdout.on('data', (d: Buffer) => (err += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, err })));
}

const values = (resultsJson: string) =>
  new Map((JSON.parse(readFileSync(resultsJson, 'utf8')) as { run: string; metric: string; step: number; value: number }[]).filter((r) => !TIMING.has(r.metric)).map((r) => [`${r.run}|${r.metric}|${r.step}`, r.value]));

describe('pretext study slurm', () => {
  it('writes an array script per dependency wave; its tasks run locally with SLURM_ARRAY_TASK_ID, then the printed command collects the local run\'s results', async () => {
    const out = join(dir, 'slurm-out');
    const made = await cli(['study', 'slurm', file, '--out', out, '--partition', 'debug', '--time', '00:10:00', '--cpus', '2']);
    expect(made.code, made.err).toBe(0);
    const script = join(out, 'cluster', 'slurm.sh');
    const text = readFileSync(script, 'utf8');
    for (const line of ['#SBATCH --array=0-2', '#SBATCH --partition=debug', '#SBATCH --time=00:10:00', '#SBATCH --cpus-per-task=2', `#SBATCH --output=${join(out, 'cluster', 'slurm')}/%x-%A_%a.out`]) expect(text).toContain(line);
    const submit = made.out.split('\n').filter((l) => l.includes('sbatch'));
    expect(submit).toEqual([`  w0=$(sbatch --parsable --array=0-1 ${script} 0)`, `  w1=$(sbatch --parsable --array=0-0 --dependency=afterok:$w0 ${script} 2)`]);
    // each wave as Slurm runs it: its tasks at once, the next wave after
    for (const line of submit) {
      const [, last, offset] = /--array=0-(\d+) .* (\d+)\)$/.exec(line)!;
      const tasks = await Promise.all(Array.from({ length: Number(last) + 1 }, (_, t) => bash(`bash ${script} ${offset}`, { SLURM_ARRAY_TASK_ID: String(t) })));
      for (const t of tasks) expect(t.code, t.err).toBe(0);
    }
    const collect = made.out.split('\n').at(-1)!.trim();
    expect(collect).toContain('study report');
    const collected = await bash(collect);
    expect(collected.code, collected.err).toBe(0);
    expect(collected.err).toContain('study cluster: 3/3 runs finished');
    const local = await runStudy(await loadStudy(file), { out: join(dir, 'local'), parallel: 1, progress: false });
    expect(local.run.failed).toEqual([]);
    const expected = values(local.results.files.json);
    expect(expected.size).toBeGreaterThan(20);
    expect(values(join(out, 'cluster', 'results.json'))).toEqual(expected);
  }, 90_000);

  it('study task names --index when it is out of range', async () => {
    const r = await cli(['study', 'task', file, '--out', join(dir, 'x'), '--index', '3']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--index 3: study cluster has runs 0..2');
  }, 30_000);
});
