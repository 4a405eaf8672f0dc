import { describe, expect, it } from 'vitest';
import { encoderConfig } from '../../../models/config.ts';
import { electraModelConfig, electraObjective } from '../../../objectives/electra/index.ts';
import { StepRunner, evaluateObjective } from '../../../train/loop.ts';
import { pcfgCorpus } from './pcfgCorpus.ts';

describe('ELECTRA end to end', () => {
  it('50 steps of a tiny pair on a PCFG corpus reduce the validation loss, generator and discriminator alike', () => {
    const corpus = pcfgCorpus(1, 600);
    const T = 16;
    const discriminator = encoderConfig({ vocabSize: corpus.vocab.size, hidden: 32, layers: 2, heads: 2, ffn: 64, maxPositions: T });
    const objective = electraObjective({ model: electraModelConfig({ discriminator, generatorSize: 0.5, embeddingSize: 16 }), vocab: corpus.vocab });
    const runner = new StepRunner(
      { objective, schedule: { kind: 'constant', lr: 3e-3, warmupSteps: 5 }, adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, clipNorm: 1, seed: 0 },
      StepRunner.initialState(objective, 0),
    );
    const validation = [corpus.paddedBatch(500, 32, T), corpus.paddedBatch(532, 32, T)];
    const before = evaluateObjective(objective, runner.state(), validation, 7);
    for (let step = 0; step < 50; step++) {
      const log = runner.step(step, [corpus.paddedBatch((step * 16) % 480, 16, T)]);
      expect(Number.isFinite(log.loss)).toBe(true);
    }
    const after = evaluateObjective(objective, runner.state(), validation, 7);
    expect(after.loss).toBeLessThan(before.loss - 5);
    expect(after.metrics.mlm_loss!).toBeLessThan(before.metrics.mlm_loss! - 0.2);
    expect(after.metrics.disc_loss!).toBeLessThan(before.metrics.disc_loss! - 0.1);
  });
});
