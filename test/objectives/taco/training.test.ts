import { describe, expect, it } from 'vitest';
import { encoderConfig } from '../../../models/config.ts';
import { tacoObjective } from '../../../objectives/taco/index.ts';
import { StepRunner, evaluateObjective } from '../../../train/loop.ts';
import { pcfgCorpus } from '../electra/pcfgCorpus.ts';

describe('TACO end to end', () => {
  it('50 steps of a tiny encoder on packed PCFG blocks reduce the validation loss, MLM and TC alike', () => {
    const corpus = pcfgCorpus(1, 1500);
    const T = 16;
    const encoder = encoderConfig({ vocabSize: corpus.vocab.size, hidden: 32, layers: 2, heads: 2, ffn: 64, maxPositions: T });
    const objective = tacoObjective({ encoder, vocab: corpus.vocab });
    const runner = new StepRunner(
      { objective, schedule: { kind: 'constant', lr: 3e-3, warmupSteps: 5 }, adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, clipNorm: 1, seed: 0 },
      StepRunner.initialState(objective, 0),
    );
    const validation = [corpus.packedBatch(400, 32, T), corpus.packedBatch(432, 32, T)];
    const before = evaluateObjective(objective, runner.state(), validation, 7);
    for (let step = 0; step < 50; step++) {
      const log = runner.step(step, [corpus.packedBatch((step * 16) % 384, 16, T)]);
      expect(Number.isFinite(log.loss)).toBe(true);
    }
    const after = evaluateObjective(objective, runner.state(), validation, 7);
    expect(after.loss).toBeLessThan(before.loss - 1);
    expect(after.metrics.mlm_loss!).toBeLessThan(before.metrics.mlm_loss! - 0.2);
    expect(after.metrics.tc_loss!).toBeLessThan(before.metrics.tc_loss! - 0.5);
    expect(after.metrics.tc_positive_cosine!).toBeGreaterThan(after.metrics.tc_negative_cosine!);
  });
});
