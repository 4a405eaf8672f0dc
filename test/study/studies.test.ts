import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildObjective } from '../../cli/train/resolveJob.ts';
import { prepareCorpora } from '../../study/corpus.ts';
import { StudyError } from '../../study/errors.ts';
import { type LoadedStudy, loadStudy } from '../../study/load.ts';
import { type PlannedRun, planStudy } from '../../study/plan.ts';
import { StepRunner } from '../../train/loop.ts';
import { tokenBatchFromRows } from '../../train/tokenBatches.ts';

// The shipped studies load and resolve their run lists at quick scale (no training). Planning
// needs their corpus: data/studies/pcfg-20000 (git-ignored) is generated when missing (~2 s).
const STUDIES = join(import.meta.dirname, '../../studies');
const OUT = join(import.meta.dirname, '../../data/studies-test-out'); // only a path: planning writes nothing

async function planned(file: string, scale: string): Promise<{ loaded: LoadedStudy; runs: readonly PlannedRun[] }> {
  const loaded = await loadStudy(join(STUDIES, file), scale);
  await prepareCorpora(loaded.study, loaded.baseDir);
  return { loaded, runs: planStudy(loaded.study, loaded.baseDir, OUT).runs };
}

/** FLOPs of update i of a run, as the compiled step counts them (ScTD's alignment updates are a different program). */
function stepFlops(run: PlannedRun): (i: number) => number {
  const job = run.job;
  const objective = buildObjective(job);
  const runner = new StepRunner({ objective, schedule: job.schedule, adamw: job.adamw, seed: job.seed }, StepRunner.initialState(objective, job.seed));
  const micro = Array.from({ length: job.accumulate }, () => tokenBatchFromRows(job.dataset.split('train').readRange(0, job.batchSize), job.seqLen, 'test'));
  return (i) => runner.stepFlops(i, micro);
}

describe('studies/objectives.ts', () => {
  let runs: readonly PlannedRun[] = [];
  beforeAll(async () => {
    ({ runs } = await planned('objectives.ts', 'quick'));
  }, 60_000);

  it('has MLM, ELECTRA, TACO, ScTD and SE, 3 seeds each, with distinct ids', () => {
    const count = new Map<string, number>();
    for (const r of runs) count.set(r.job.objectiveName, (count.get(r.job.objectiveName) ?? 0) + 1);
    expect(Object.fromEntries(count)).toEqual({ mlm: 3, electra: 3, taco: 3, sctd: 3, se: 3 });
    expect(new Set(runs.map((r) => r.id)).size).toBe(15);
    for (const r of runs) expect(r.id.startsWith(`${r.job.objectiveName}-`)).toBe(true);
  });

  it('gives every objective but SE the step count that reaches the equal FLOPs budget (4e11): the first update count at or past it', () => {
    const byObjective = new Map<string, number>();
    // seeds change no shapes: one run per objective
    for (const r of runs.filter((x) => x.job.objectiveName !== 'se' && x.job.seed === 0)) {
      const flops = stepFlops(r);
      let total = 0;
      for (let i = 0; i < r.steps - 1; i++) total += flops(i);
      expect(total, r.label).toBeLessThan(4e11);
      expect(total + flops(r.steps - 1), r.label).toBeGreaterThanOrEqual(4e11);
      byObjective.set(r.job.objectiveName, r.steps);
    }
    // a step that costs more buys fewer updates: ELECTRA's (generator + discriminator) costs more than MLM's
    expect(stepFlops(runs.find((r) => r.job.objectiveName === 'electra')!)(0)).toBeGreaterThan(stepFlops(runs.find((r) => r.job.objectiveName === 'mlm')!)(0));
    expect(byObjective.get('electra')!).toBeLessThan(byObjective.get('mlm')!);
  });

  it('continues each seed\'s MLM run with SE for its fixed steps', () => {
    for (const se of runs.filter((r) => r.job.objectiveName === 'se')) {
      const mlm = runs.find((r) => r.id === se.dependsOn)!;
      expect(mlm.job.objectiveName).toBe('mlm');
      expect(mlm.job.seed).toBe(se.job.seed);
      expect(se.steps).toBe(50);
      expect(runs.indexOf(mlm)).toBeLessThan(runs.indexOf(se)); // trained first
    }
    // the SE runs of the three seeds are one group (mean ± std), named by the group of the runs they continue
    expect([...new Set(runs.filter((r) => r.job.objectiveName === 'se').map((r) => r.group))]).toEqual(['preset=se-quick budget.steps=50 init=(preset=pcfg-quick budget.flops=400000000000)']);
  });

  it('has start (npm start: one seed of each) and full scales; an unknown scale is an error naming them', async () => {
    const start = await loadStudy(join(STUDIES, 'objectives.ts'), 'start');
    expect(start.study.name).toBe('objectives-start');
    expect(start.study.runs).toHaveLength(5);
    expect((await loadStudy(join(STUDIES, 'objectives.ts'), 'full')).study.name).toBe('objectives-full');
    await expect(loadStudy(join(STUDIES, 'objectives.ts'), 'huge')).rejects.toThrow(StudyError);
    await expect(loadStudy(join(STUDIES, 'objectives.ts'), 'huge')).rejects.toThrow('--scale huge: this study has the scales start, quick, full');
  });
});

describe('studies/sameLossBetterDownstream.ts', () => {
  it('resolves the three arms: 1, 2, 4 times the updates; widths 32 and 128; batch 32 and 128 rows at the base\'s tokens', async () => {
    const { loaded, runs } = await planned('sameLossBetterDownstream.ts', 'quick');
    const describe = (r: PlannedRun) => `${r.job.encoder.hidden}/${r.job.encoder.heads} x${r.job.batchSize * r.job.accumulate} ${r.steps}`;
    expect(runs.map(describe)).toEqual(['64/4 x64 100', '64/4 x64 200', '64/4 x64 400', '32/2 x64 200', '128/8 x64 200', '64/4 x32 400', '64/4 x128 100']);
    expect(new Set(runs.map((r) => r.id)).size).toBe(7);
    // labels name only what a run sets (no "train.accumulate=-" for the runs that leave it to the preset)
    expect(runs.map((r) => r.label)).toEqual([
      'budget.steps=100', 'budget.steps=200', 'budget.steps=400', 'budget.steps=200 model.hidden=32 model.heads=2 model.ffn=128',
      'budget.steps=200 model.hidden=128 model.heads=8 model.ffn=512', 'train.accumulate=1 budget.tokens=256000', 'train.accumulate=4 budget.tokens=256000',
    ]);
    // the enlarged evaluation widens the 32-wide model to the base's width (the same head size)
    expect(loaded.study.evaluate!.map((e) => e.name)).toEqual(['excessLoss', 'hessianTrace', 'probeB', 'finetuneB', 'enlarged2x']);
    expect((await loadStudy(join(STUDIES, 'sameLossBetterDownstream.ts'), 'full')).study.name).toBe('same-loss-full');
  }, 60_000);
});
