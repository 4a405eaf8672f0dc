import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../cli/options.ts';
import { StudyError } from '../../study/errors.ts';
import { loadStudy } from '../../study/load.ts';
import { planStudy } from '../../study/plan.ts';
import { runStudy, studyResults } from '../../study/runStudy.ts';
import { tokensPerStep } from '../../study/budget.ts';
import { buildObjective } from '../../cli/train/resolveJob.ts';
import { StepRunner } from '../../train/loop.ts';
import { tokenBatchFromRows } from '../../train/tokenBatches.ts';
import { TINY_BASE, studyFixture, writeStudy } from './fixture.ts';

let dir = '';
beforeAll(async () => {
  ({ dir } = await studyFixture('pretext-study-'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = (extra: Record<string, unknown> = {}) => JSON.stringify({ ...TINY_BASE, ...extra });
const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);

describe('planning a study', () => {
  it('gives each run an id from its resolved config: the same in any key order, new only for the runs a changed value touches', async () => {
    const a = writeStudy(dir, 'idsA', `export default defineStudy({ name: 'ids', base: ${base({ objective: 'mlm', budget: { steps: 3 } })}, runs: grid({ 'train.lr': [1e-3, 2e-3], seed: [0, 1] }) });`);
    const b = writeStudy(dir, 'idsB', `export default defineStudy({ name: 'ids', base: ${base({ budget: { steps: 3 }, objective: 'mlm' })}, runs: grid({ seed: [0, 1], 'train.lr': [1e-3, 3e-3] }).map((r) => ({ train: { lr: r['train.lr'] }, seed: r.seed })) });`);
    const plan = async (f: string) => { const l = await loadStudy(f); return planStudy(l.study, l.baseDir, join(dir, 'out')); };
    const [pa, pb] = [await plan(a), await plan(b)];
    const idsA = new Map(pa.runs.map((r) => [`${r.job.schedule.lr} ${r.job.seed}`, r.id]));
    const idsB = new Map(pb.runs.map((r) => [`${r.job.schedule.lr} ${r.job.seed}`, r.id]));
    expect(new Set(idsA.values()).size).toBe(4);
    expect(idsB.get('0.001 0')).toBe(idsA.get('0.001 0'));
    expect(idsB.get('0.001 1')).toBe(idsA.get('0.001 1'));
    expect(idsB.get('0.003 0')).toBeDefined();
    expect([...idsA.values()]).not.toContain(idsB.get('0.003 0'));
    expect(pa.runs[0]!.label).toBe('train.lr=0.001 seed=0');
    expect(pa.runs[0]!.group).toBe('train.lr=0.001');
  });

  it('rejects an unknown config key and a bad budget, naming them', async () => {
    const badKey = writeStudy(dir, 'badKey', `export default defineStudy({ name: 'bad', base: ${base({ budget: { steps: 3 } })}, runs: [{ objective: 'mlm', train: { batchsize: 8 } }] });`);
    const l = await loadStudy(badKey);
    expect(() => planStudy(l.study, l.baseDir, dir)).toThrow(CliError);
    expect(() => planStudy(l.study, l.baseDir, dir)).toThrow(/batchsize/);
    const badBudget = writeStudy(dir, 'badBudget', `export default defineStudy({ name: 'bad', base: ${base()}, runs: [{ objective: 'mlm', budget: { steps: 3, flops: 1e9 } }] });`);
    const lb = await loadStudy(badBudget);
    expect(() => planStudy(lb.study, lb.baseDir, dir)).toThrow(StudyError);
    expect(() => planStudy(lb.study, lb.baseDir, dir)).toThrow(/exactly one of steps, tokens, flops, seconds/);
    await expect(loadStudy(join(dir, 'nothing.ts'))).rejects.toThrow(/no such study file/);
  });

  it('turns token and FLOP budgets into step counts (rounded up; FLOPs as the compiled step counts them)', async () => {
    const f = writeStudy(dir, 'budgets', `export default defineStudy({ name: 'budgets', base: ${base()}, runs: [{ objective: 'mlm', budget: { tokens: 2000 } }, { objective: 'mlm', budget: { steps: 1 } }] });`);
    const l = await loadStudy(f);
    const [byTokens, oneStep] = planStudy(l.study, l.baseDir, dir).runs;
    expect(tokensPerStep(byTokens!.job)).toBe(16 * 14);
    expect(byTokens!.steps).toBe(Math.ceil(2000 / (16 * 14)));
    expect(oneStep!.steps).toBe(1);
    // the compiled program's FLOPs of one update
    const job = oneStep!.job;
    const objective = buildObjective(job);
    const runner = new StepRunner({ objective, schedule: job.schedule, adamw: job.adamw, seed: 0 }, StepRunner.initialState(objective, 0));
    const perStep = runner.step(0, [tokenBatchFromRows(job.dataset.split('train').readRange(0, 16), 14, 'test')]).flops;
    const g = writeStudy(dir, 'flops', `export default defineStudy({ name: 'flops', base: ${base()}, runs: [{ objective: 'mlm', budget: { flops: ${2.5 * perStep} } }, { objective: 'mlm', budget: { flops: ${3.5 * perStep} } }, { objective: 'mlm', budget: { flops: ${3 * perStep} } }] });`);
    const lf = await loadStudy(g);
    // a budget that buys the same steps is the same run (same job, same id)
    expect(planStudy(lf.study, lf.baseDir, dir).runs.map((r) => r.steps)).toEqual([3, 4]);
  });
});

describe('running a study', () => {
  it('trains every run once, logs cumulative tokens and FLOPs, evaluates, writes the long table and the report; a rerun trains nothing; a changed value reruns only its runs', async () => {
    const source = (lrs: string) => `export default defineStudy({
      name: 'sweep', base: ${base({ budget: { steps: 4 } })},
      runs: grid({ objective: ['mlm'], 'train.lr': [${lrs}] }),
      evaluate: [evaluation('twiceStep', (ctx) => 2 * ctx.step)],
      report: [table(['loss', 'twiceStep']), curves({ metric: 'loss', x: 'flops' }), scatter({ x: 'loss', y: 'valid_loss' }), bars({ metric: 'loss' }), compute({ metric: 'loss' })],
    });`;
    const out = join(dir, 'runs-out');
    const first = await runStudy(await loadStudy(writeStudy(dir, 'sweep', source('1e-3, 3e-3'))), { out, parallel: 1, progress: false });
    expect(first.run.failed).toEqual([]);
    expect(first.results.missing).toEqual([]);
    const [r1, r2] = first.results.plan.runs;
    const log = lines(join(r1!.runDir, 'train', 'log.jsonl')).filter((l) => l['loss'] !== undefined);
    expect(log.map((l) => l['update'])).toEqual([1, 2, 3, 4]);
    expect(log.map((l) => l['tokens'])).toEqual([1, 2, 3, 4].map((k) => k * 16 * 14));
    const perStep = log[0]!['flops']!;
    expect(perStep).toBeGreaterThan(0);
    expect(log.map((l) => l['flops'])).toEqual([1, 2, 3, 4].map((k) => k * perStep));

    const table = first.results.table;
    expect(table.columnNames()).toEqual(expect.arrayContaining(['run', 'label', 'group', 'metric', 'step', 'tokens', 'flops', 'value', 'train.lr', 'objective', 'model.hidden', 'corpus']));
    const twice = (table.objects() as Record<string, unknown>[]).filter((r) => r['metric'] === 'twiceStep') as { run: string; value: number; 'train.lr': number }[];
    expect(twice.map((r) => [r.run, r.value, r['train.lr']])).toEqual([[r1!.id, 8, 1e-3], [r2!.id, 8, 3e-3]]);
    const csv = readFileSync(first.results.files.csv, 'utf8');
    expect(csv.split('\n')[0]).toContain('train.lr');
    expect(JSON.parse(readFileSync(first.results.files.json, 'utf8'))).toHaveLength(table.numRows());
    for (const fig of first.results.report.figures) expect(readFileSync(fig, 'utf8')).toMatch(/^<svg[^>]*>.*<path/s);
    expect(readFileSync(first.results.report.markdown, 'utf8')).toMatch(/\| train\.lr=0\.001 \| 1 \| [0-9.]+ \| 8 \|/);
    expect(readFileSync(first.results.report.html, 'utf8')).toContain('<img src="figures/02-curves-loss.svg"');

    const logMtime = (r: { runDir: string }) => statSync(join(r.runDir, 'train', 'log.jsonl')).mtimeMs;
    const before = [logMtime(r1!), logMtime(r2!)];
    const again = await runStudy(await loadStudy(writeStudy(dir, 'sweep', source('1e-3, 3e-3'))), { out, parallel: 1, progress: false });
    expect(again.results.plan.runs.map((r) => r.id)).toEqual([r1!.id, r2!.id]);
    expect([logMtime(r1!), logMtime(r2!)]).toEqual(before);
    expect(again.results.table.numRows()).toBe(table.numRows());

    const changed = await runStudy(await loadStudy(writeStudy(dir, 'sweep', source('1e-3, 5e-3'))), { out, parallel: 1, progress: false });
    const [c1, c2] = changed.results.plan.runs;
    expect(c1!.id).toBe(r1!.id);
    expect(logMtime(c1!)).toBe(before[0]);
    expect(c2!.id).not.toBe(r2!.id);
    expect(existsSync(join(c2!.runDir, 'done.json'))).toBe(true);

    // the report re-renders from the folder alone
    rmSync(join(changed.results.plan.dir, 'figures'), { recursive: true });
    const report = await studyResults(changed.results.plan);
    expect(report.report.figures.every((f) => existsSync(f))).toBe(true);
    expect(logMtime(c1!)).toBe(before[0]);
  }, 120_000);

  it('a seconds budget stops the run at the time limit and marks it finished', async () => {
    const f = writeStudy(dir, 'clock', `export default defineStudy({ name: 'clock', base: ${base()}, runs: [{ objective: 'mlm', budget: { seconds: 0.3, steps: 100000 } }] });`);
    const { results, run } = await runStudy(await loadStudy(f), { out: join(dir, 'clock-out'), parallel: 1, progress: false });
    expect(run.failed).toEqual([]);
    const done = JSON.parse(readFileSync(join(results.plan.runs[0]!.runDir, 'done.json'), 'utf8')) as { steps: number; stoppedBy: string };
    expect(done.stoppedBy).toBe('seconds');
    expect(done.steps).toBeGreaterThan(0);
    expect(done.steps).toBeLessThan(100000);
  }, 60_000);
});
