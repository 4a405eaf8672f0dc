import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStudy } from '../../study/load.ts';
import { runStudy } from '../../study/runStudy.ts';
import { TINY_BASE, studyFixture, writeStudy } from './fixture.ts';

let dir = '';
beforeAll(async () => {
  ({ dir } = await studyFixture('pretext-study-evals-'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('built-in evaluations of a study', () => {
  it('excess loss, Hessian trace, probe and fine-tuning run on each final checkpoint and land in the table', async () => {
    const f = writeStudy(dir, 'evals', `import { hessianTrace, probe, finetune } from '${join(import.meta.dirname, '../../study/index.ts')}';
export default defineStudy({ name: 'evals', base: ${JSON.stringify({ ...TINY_BASE, objective: 'mlm', budget: { steps: 2 } })}, runs: [{}],
  evaluate: [excessLoss({ sentences: 10 }), hessianTrace({ samples: 2, batch: 4, pool: 20 }), probe({ task: 'B', train: 32, valid: 16, epochs: 1 }), finetune({ task: 'B', train: 32, valid: 16, epochs: 1, batch: 16 })] });`);
    const { results, run } = await runStudy(await loadStudy(f), { out: join(dir, 'out'), parallel: 1, progress: false });
    expect(run.failed).toEqual([]);
    const scalar = new Map((results.table.objects() as { metric: string; value: number; epoch: number | null }[]).filter((r) => r.epoch === null).map((r) => [r.metric, r.value]));
    for (const m of ['single_mask_loss', 'optimal_loss', 'excess_loss', 'hessian_trace', 'probeB_best_accuracy', 'finetuneB_best_accuracy', 'taskB_majority_accuracy']) {
      expect(Number.isFinite(scalar.get(m)), m).toBe(true);
    }
    expect(scalar.get('excess_loss')).toBeCloseTo(scalar.get('single_mask_loss')! - scalar.get('optimal_loss')!, 6);
    expect(scalar.get('probeB_best_accuracy')).toBeGreaterThanOrEqual(0);
    expect(scalar.get('finetuneB_best_accuracy')).toBeLessThanOrEqual(1);
  }, 120_000);
});
