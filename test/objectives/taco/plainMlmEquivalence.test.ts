import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import type { HostTensor } from '../../../dsl/host.ts';
import { encoderConfig } from '../../../models/config.ts';
import { mlmObjective } from '../../../objectives/mlm.ts';
import type { AnyObjective } from '../../../objectives/objective.ts';
import { tacoObjective } from '../../../objectives/taco/index.ts';
import { StepRunner, type StepLog } from '../../../train/loop.ts';
import { pcfgCorpus } from '../electra/pcfgCorpus.ts';

const corpus = pcfgCorpus(3, 200);
const T = 12;
const encoder = encoderConfig({ vocabSize: corpus.vocab.size, hidden: 16, layers: 1, heads: 2, ffn: 32, maxPositions: T });

function train(objective: AnyObjective, steps: number): { logs: StepLog[]; params: Float32Array[] } {
  const runner = new StepRunner(
    { objective, schedule: { kind: 'constant', lr: 1e-2 }, adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, seed: 5 },
    StepRunner.initialState(objective, 5),
  );
  const logs = Array.from({ length: steps }, (_, s) => runner.step(s, [corpus.packedBatch(8 * s, 8, T)]));
  const params = p.flatten<HostTensor>(runner.state().params, p.isHostTensor).leaves.map((t) => Float32Array.from(t.data));
  return { logs, params };
}

describe('TACO with w = 0 (spec 3f 6)', () => {
  it('the training step is identical to plain MLM with the same masking and key: same losses, same parameters, bit for bit', () => {
    const mlm = train(mlmObjective({ encoder, vocab: corpus.vocab, masking: { kind: 'bernoulli', prob: 0.15 }, normalizer: 'masked' }), 3);
    const taco0 = train(tacoObjective({ encoder, vocab: corpus.vocab, weight: 0, negatives: 10 }), 3);
    expect(taco0.logs.map((l) => l.loss)).toEqual(mlm.logs.map((l) => l.loss));
    expect(taco0.logs.map((l) => l.gradNorm)).toEqual(mlm.logs.map((l) => l.gradNorm));
    taco0.params.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(mlm.params[i]!.buffer)), `parameter ${i}`).toBe(true));
    // the TC term was computed all along, just weighted by 0
    expect(taco0.logs[0]!.metrics.tc_loss!).toBeGreaterThan(0);
    // and with w = 1 the steps differ
    const taco1 = train(tacoObjective({ encoder, vocab: corpus.vocab, weight: 1, negatives: 10 }), 1);
    expect(taco1.logs[0]!.loss).not.toBe(mlm.logs[0]!.loss);
  });
});
