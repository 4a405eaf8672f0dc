import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import type { HostTensor } from '../../../dsl/host.ts';
import { encoderConfig } from '../../../models/config.ts';
import { key } from '../../../prng/key.ts';
import { electraTcObjective } from '../../../objectives/composed/electraTc.ts';
import { type ElectraParams, electraModelConfig, electraObjective } from '../../../objectives/electra/index.ts';
import type { AnyObjective } from '../../../objectives/objective.ts';
import { StepRunner, type StepLog, evaluateObjective } from '../../../train/loop.ts';
import { lossKey, tinyElectraModel, tinyElectraOptions, tinyTokens } from '../electra/tinyElectra.ts';
import { pcfgCorpus } from '../electra/pcfgCorpus.ts';

const maxAbs = (t: HostTensor) => Math.max(...Array.from(t.data, Math.abs));
const electraOptions = tinyElectraOptions({ model: tinyElectraModel({ dropout: 0.1 }), maskProb: 0.3 });

describe('ELECTRA + TC composition (objectives/composed)', () => {
  it('with TC weight 0 the loss is ELECTRA\'s exactly (same batch, same key); with weight w it adds w·L_TC', () => {
    const electra = electraObjective(electraOptions);
    const tokens = tinyTokens([9, 12, 5], 14, 3);
    const { params } = electra.init(key(1));
    const base = p.evaluate((pp, b, k) => electra.loss(pp, {}, b, k, 'train', 'default'), params, electra.prepare(tokens, key(2), 0, 'train'), lossKey(3));
    for (const weight of [0, 0.25]) {
      const composed = electraTcObjective({ electra: electraOptions, tc: { weight, negatives: 7 } });
      const batch = composed.prepare(tokens, key(2), 0, 'train');
      const out = p.evaluate((pp, b, k) => composed.loss(pp, {}, b, k, 'train', 'default'), params, batch, lossKey(3));
      expect(out.metrics.mlm_loss!.item()).toBe(base.metrics.mlm_loss!.item());
      expect(out.metrics.disc_loss!.item()).toBe(base.metrics.disc_loss!.item());
      expect(out.metrics.tc_loss!.item()).toBeGreaterThan(0);
      expect(out.loss.item()).toBe(base.loss.item() + weight * out.metrics.tc_loss!.item());
    }
  });

  it('the TC term on the discriminator reaches discriminator and shared parameters, never generator-only ones', () => {
    const composed = electraTcObjective({ electra: electraOptions, tc: { negatives: 5 } });
    const { params } = composed.init(key(4));
    const batch = composed.prepare(tinyTokens([10, 8, 12], 14, 5), key(6), 0, 'train');
    const g = p.evaluate((pp, b, k) => p.grad((q: ElectraParams) => composed.loss(q, {}, b, k, 'train', 'default').metrics.tc_loss!)(pp), params, batch, lossKey(7));
    const flat = p.flatten<HostTensor>(g, p.isHostTensor);
    flat.paths.forEach((path, i) => {
      if (path.startsWith('generator.')) expect(maxAbs(flat.leaves[i]!), path).toBe(0);
    });
    expect(maxAbs(g.embeddings.word)).toBeGreaterThan(0);
    expect(maxAbs(g.discriminator.layers[0]!.ffnOut.w)).toBeGreaterThan(0);
  });

  it("'masked' anchors are ELECTRA's sampled set S (pads never)", () => {
    const composed = electraTcObjective({ electra: electraOptions, tc: { anchors: 'masked', negatives: 3 } });
    const batch = composed.prepare(tinyTokens([10, 3, 12], 14, 8), key(9), 0, 'train');
    expect(Array.from(batch.tc.tcAnchors.data)).toEqual(Array.from(batch.electra.selected.data));
  });

  it('with TC weight 0, training steps equal ELECTRA\'s bit for bit', () => {
    const corpus = pcfgCorpus(2, 200);
    const T = 12;
    const discriminator = encoderConfig({ vocabSize: corpus.vocab.size, hidden: 16, layers: 1, heads: 2, ffn: 32, maxPositions: T });
    const options = { model: electraModelConfig({ discriminator, generatorSize: 0.5, embeddingSize: 8 }), vocab: corpus.vocab };
    const train = (objective: AnyObjective) => {
      const runner = new StepRunner(
        { objective, schedule: { kind: 'constant', lr: 1e-2 }, adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, seed: 3 },
        StepRunner.initialState(objective, 3),
      );
      const logs: StepLog[] = [0, 1, 2].map((s) => runner.step(s, [corpus.paddedBatch(8 * s, 8, T)]));
      return { logs, params: p.flatten<HostTensor>(runner.state().params, p.isHostTensor).leaves, runner };
    };
    const electra = train(electraObjective(options));
    const composed = train(electraTcObjective({ electra: options, tc: { weight: 0, negatives: 10 } }));
    expect(composed.logs.map((l) => l.loss)).toEqual(electra.logs.map((l) => l.loss));
    composed.params.forEach((w, i) => expect(Array.from(w.data), `parameter ${i}`).toEqual(Array.from(electra.params[i]!.data)));
  });

  it('trains: 30 steps with the TC term reduce the validation loss and the TC loss', () => {
    const corpus = pcfgCorpus(1, 600);
    const T = 16;
    const discriminator = encoderConfig({ vocabSize: corpus.vocab.size, hidden: 32, layers: 1, heads: 2, ffn: 64, maxPositions: T });
    const objective = electraTcObjective({ electra: { model: electraModelConfig({ discriminator, generatorSize: 0.5, embeddingSize: 16 }), vocab: corpus.vocab }, tc: { negatives: 10 } });
    const runner = new StepRunner(
      { objective, schedule: { kind: 'constant', lr: 3e-3, warmupSteps: 5 }, adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, clipNorm: 1, seed: 0 },
      StepRunner.initialState(objective, 0),
    );
    const validation = [corpus.paddedBatch(500, 32, T)];
    const before = evaluateObjective(objective, runner.state(), validation, 7);
    for (let step = 0; step < 30; step++) runner.step(step, [corpus.paddedBatch((step * 16) % 480, 16, T)]);
    const after = evaluateObjective(objective, runner.state(), validation, 7);
    expect(after.loss).toBeLessThan(before.loss - 5);
    expect(after.metrics.tc_loss!).toBeLessThan(before.metrics.tc_loss!);
  });
});
