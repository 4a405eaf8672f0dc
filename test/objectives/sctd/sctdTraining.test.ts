import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../../dsl/host.ts';
import { sctdObjective } from '../../../objectives/sctd/index.ts';
import { type StepLog, StepRunner, evaluateObjective } from '../../../train/loop.ts';
import { QUICK_ADAMW, tinyEncoder, tinyPcfgCorpus } from '../selfEvolution/tinyPcfgCorpus.ts';

const corpus = tinyPcfgCorpus();
const config = tinyEncoder(corpus.vocab, corpus.seqLen, { layers: 4 });
const schedule = { kind: 'constant', lr: 3e-3, warmupSteps: 5 } as const;

function train(preset: 'sctd' | 'vanilla', steps: number) {
  const objective = sctdObjective({ encoder: config, vocab: corpus.vocab, preset });
  const runner = new StepRunner({ objective, schedule, adamw: QUICK_ADAMW, seed: 4 }, StepRunner.initialState(objective, 4));
  const before = evaluateObjective(objective, runner.state(), corpus.validation, 7);
  const logs: StepLog[] = [];
  for (let s = 0; s < steps; s++) logs.push(runner.step(s, [corpus.train[s % corpus.train.length]!]));
  const after = evaluateObjective(objective, runner.state(), corpus.validation, 7);
  return { before, after, logs, importance: (runner.state().extra as { importance: HostTensor }).importance };
}

describe('token dropping end to end on a PCFG corpus (4 layers: layer 0 full, 1 cross-attention, 2 kept-only, 3 full)', () => {
  it('ScTD: 50 steps reduce the validation loss; alignment every 10 updates, KLs cached in between; importance learns', () => {
    const { before, after, logs, importance } = train('sctd', 50);
    expect(after.loss).toBeLessThan(before.loss - 0.02);
    for (const log of logs) {
      expect(Number.isFinite(log.loss)).toBe(true);
      expect(log.metrics.align).toBe(log.step % 10 === 0 ? 1 : 0);
      expect(log.metrics.dropped_fraction).toBeGreaterThan(0.4);
      if (log.step % 10 !== 0) {
        const lastAlign = logs[log.step - (log.step % 10)]!;
        expect(log.metrics.kl_loss).toBe(lastAlign.metrics.kl_loss);
        expect(log.metrics.kl_loss_final).toBe(lastAlign.metrics.kl_loss_final);
      } else {
        expect(log.metrics.kl_loss).toBeGreaterThan(0);
      }
    }
    const { cls, pad, sep, mask } = corpus.vocab;
    for (const id of [cls, pad, sep, mask]) expect(importance.data[id]).toBe(1e4);
    expect(logs[49]!.metrics.importance_min).toBeLessThan(10);
    expect(Array.from(importance.data).filter((v) => v !== 10 && v !== 1e4).length).toBeGreaterThan(20);
  });

  it('vanilla token dropping (Hou et al.): 30 steps reduce the validation loss, never align', () => {
    const { before, after, logs, importance } = train('vanilla', 30);
    expect(after.loss).toBeLessThan(before.loss - 0.02);
    expect(logs.every((l) => l.metrics.align === 0 && l.metrics.kl_loss === 0)).toBe(true);
    expect(importance.data[corpus.vocab.pad]).toBe(-1e4);
  });
});
