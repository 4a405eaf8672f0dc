import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as aq from 'arquero';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStudyScale } from '../../cli/commands/studyShared.ts';
import { prepareCorpora } from '../../study/corpus.ts';
import { defineStudy } from '../../study/defineStudy.ts';
import { StudyError } from '../../study/errors.ts';
import { STUDY_SCALE_ENV, loadStudy } from '../../study/load.ts';
import { scatterSpec } from '../../study/report/plots.ts';
import { spearman } from '../../study/report/stats.ts';
import { runStudy } from '../../study/runStudy.ts';
import { TINY_BASE, studyFixture, writeStudy } from './fixture.ts';

// What the shipped studies rely on in the framework: scales, generated corpora, the near-equal-loss
// scatter, and the enlarged-model evaluation (studies/enlarged.ts).
let dir = '';
beforeAll(async () => {
  ({ dir } = await studyFixture('pretext-study-scale-'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const perScale = () => writeStudy(dir, 'perScale', `export default defineStudy(({ scale }) => ({ name: 'per-' + scale, base: ${JSON.stringify({ ...TINY_BASE, objective: 'mlm' })}, runs: [{ budget: { steps: scale === 'full' ? 5 : 1 } }] }));`);

describe('a study written per scale', () => {
  it('is made with --scale, else $PRETEXT_STUDY_SCALE (what workers inherit), else quick', async () => {
    const file = perScale();
    expect((await loadStudy(file, undefined)).study.name).toBe('per-quick');
    const full = await loadStudy(file, 'full');
    expect([full.study.name, full.scale]).toEqual(['per-full', 'full']);
    await withStudyScale('full', async () => {
      expect(process.env[STUDY_SCALE_ENV]).toBe('full');
      expect((await loadStudy(file)).study.name).toBe('per-full');
    });
    expect(process.env[STUDY_SCALE_ENV]).toBeUndefined();
  });

  it('a plain study given a scale is an error; a definition made per scale is validated like a plain one', async () => {
    const plain = writeStudy(dir, 'plain', `export default defineStudy({ name: 'plain', base: ${JSON.stringify({ ...TINY_BASE, objective: 'mlm' })}, runs: [{}] });`);
    await expect(loadStudy(plain, 'full')).rejects.toThrow(/--scale full, but this study has one setting/);
    const bad = writeStudy(dir, 'badScale', `export default defineStudy(({ scale }) => ({ name: 'bad ' + scale, runs: [{}] }));`);
    await expect(loadStudy(bad, 'quick')).rejects.toThrow(StudyError);
    expect(defineStudy(() => ({ name: 'x', runs: [{}] })).kind).toBe('pretext-study-factory');
  });
});

describe('corpora of a study', () => {
  it('are generated when missing, kept when made with the same settings, and an error naming the setting when not', async () => {
    const make = (sentences: number) => defineStudy({ name: 'c', corpora: { gen: { sentences, seqLen: 12, validSentences: 5 } }, runs: [{}] });
    await prepareCorpora(make(30), dir);
    const manifest = join(dir, 'gen', 'manifest.json');
    expect(JSON.parse(readFileSync(manifest, 'utf8')).splits.train.rows).toBe(30);
    const stamp = statSync(manifest).mtimeMs;
    await prepareCorpora(make(30), dir);
    expect(statSync(manifest).mtimeMs).toBe(stamp);
    await expect(prepareCorpora(make(40), dir)).rejects.toThrow(/was made with sentences 30, the study's corpora say 40: delete the folder to regenerate it/);
  });
});

describe('scatter with nearBest', () => {
  it('keeps only the runs whose metric is within the margin of the lowest, and correlates over them', () => {
    const runs = [
      { run: 'a', loss: 0.10, trace: 1, acc: 0.9 }, { run: 'b', loss: 0.12, trace: 2, acc: 0.7 }, { run: 'c', loss: 0.50, trace: 9, acc: 0.95 }, { run: 'd', loss: 0.11, trace: 3, acc: 0.8 },
    ];
    const table = aq.from(runs.flatMap((r) => ['loss', 'trace', 'acc'].map((m) => ({ run: r.run, group: r.run, metric: m, value: r[m as 'loss'], step: 1, epoch: null }))));
    const all = scatterSpec(table, { kind: 'scatter', x: 'trace', y: 'acc' });
    const near = scatterSpec(table, { kind: 'scatter', x: 'trace', y: 'acc', nearBest: { metric: 'loss', within: 0.05 } });
    expect(all.n).toBe(4);
    expect(near.n).toBe(3);
    expect(near.rho).toBeCloseTo(spearman([1, 2, 3], [0.9, 0.7, 0.8]), 12);
    expect(near.rho).not.toBeCloseTo(all.rho, 3);
  });
});

describe('the enlarged evaluation (studies/enlarged.ts)', () => {
  it('measures the run\'s model widened r times: the same excess loss, twice the width', async () => {
    const enlarged = pathToFileURL(join(import.meta.dirname, '../../studies/enlarged.ts')).href;
    const f = writeStudy(dir, 'enlarged', `import { enlarged } from '${enlarged}';
const measures = [excessLoss({ sentences: 8, seqLen: 14 })];
export default defineStudy({ name: 'enlarged', base: ${JSON.stringify({ ...TINY_BASE, objective: 'mlm', budget: { steps: 2 } })}, runs: [{}],
  evaluate: [...measures, enlarged({ factor: 2, hidden: 16, evaluate: measures })] });`);
    const { results, run } = await runStudy(await loadStudy(f), { out: join(dir, 'out'), parallel: 1, progress: false });
    expect(run.failed).toEqual([]);
    const value = new Map((results.table.objects() as { metric: string; value: number }[]).map((r) => [r.metric, r.value]));
    expect(value.get('enlarged_excess_loss')).toBeCloseTo(value.get('excess_loss')!, 4);
    expect(value.get('enlarged_optimal_loss')).toBe(value.get('optimal_loss'));
    const config = JSON.parse(readFileSync(join(results.plan.runs[0]!.runDir, 'enlarged-2x', 'config.json'), 'utf8')) as { hidden_size: number; num_attention_heads: number };
    expect([config.hidden_size, config.num_attention_heads]).toEqual([32, 4]);
  }, 120_000);
});
