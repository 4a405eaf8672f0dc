import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Concrete } from '../../../dsl/trace.ts';
import type { MlmModelParams } from '../../../models/params.ts';
import { loadHardTokens, saveHardTokens, selfEvolutionObjective, selfQuestion } from '../../../objectives/selfEvolution/index.ts';
import { StepRunner, evaluateObjective } from '../../../train/loop.ts';
import { QUICK_ADAMW, tinyEncoder, tinyPcfgCorpus } from './tinyPcfgCorpus.ts';

describe('SE end to end on a PCFG corpus', () => {
  it('stage 1 → stored map → 50 stage-2 steps reduce the validation loss', () => {
    const corpus = tinyPcfgCorpus();
    const config = tinyEncoder(corpus.vocab, corpus.seqLen);
    const seed = 4;
    const init = selfEvolutionObjective({ encoder: config, vocab: corpus.vocab, hardPositions: new Map() });
    const state = StepRunner.initialState(init, seed);

    const stage1 = selfQuestion(state.params as Concrete<MlmModelParams>, config, corpus.train);
    expect(stage1.summary.blocks).toBe(corpus.train.length * corpus.train[0]!.rows);
    expect(stage1.summary.hardFraction).toBeGreaterThan(0.5); // an untrained model reconstructs little
    const dir = mkdtempSync(join(tmpdir(), 'pretext-se-e2e-'));
    try {
      saveHardTokens(join(dir, 'hard.json'), stage1.hard, { threshold: 0.1 });
      const { hard } = loadHardTokens(join(dir, 'hard.json'));
      const objective = selfEvolutionObjective({ encoder: config, vocab: corpus.vocab, hardPositions: hard });
      const runner = new StepRunner({ objective, schedule: { kind: 'constant', lr: 3e-3, warmupSteps: 5 }, adamw: QUICK_ADAMW, seed }, state);
      const before = evaluateObjective(objective, runner.state(), corpus.validation, 7);
      let last;
      for (let s = 0; s < 50; s++) last = runner.step(s, [corpus.train[s % corpus.train.length]!]);
      const after = evaluateObjective(objective, runner.state(), corpus.validation, 7);
      expect(Number.isFinite(last!.loss)).toBe(true);
      expect(last!.metrics.hard_rows).toBeGreaterThan(0);
      expect(last!.metrics.loss_bits).toBeCloseTo(last!.loss / Math.LN2, 4);
      expect(after.loss).toBeLessThan(before.loss - 0.02);
      expect(after.metrics.loss_nll!).toBeLessThan(before.metrics.loss_nll!);
      // the reference-free ablation shares the parameters and compiles (its batch's originalIds go unused)
      const plain = selfEvolutionObjective({ encoder: config, vocab: corpus.vocab, hardPositions: hard, reference: 'none' });
      const plainEval = evaluateObjective(plain, runner.state(), corpus.validation, 7);
      expect(plainEval.loss).toBeCloseTo(after.metrics.loss_nll!, 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
