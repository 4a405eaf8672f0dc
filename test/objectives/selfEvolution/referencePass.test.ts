import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { keyInput } from '../../../dsl/random.ts';
import type { Tensor } from '../../../dsl/tensor.ts';
import type { MlmModelParams } from '../../../models/params.ts';
import { dropoutContext, mlmModelLogits } from '../../../objectives/mlm.ts';
import {
  type SelfEvolutionBatch, evolutionPositions, referenceLogProbs, selfEvolutionForward, selfEvolutionObjective,
} from '../../../objectives/selfEvolution/index.ts';
import { key } from '../../../prng/key.ts';
import { tinyEncoder, tinyPcfgCorpus } from './tinyPcfgCorpus.ts';

type Logits = Tensor<['batch', 'seq', 'vocab']>;
const corpus = tinyPcfgCorpus({ sentences: 40, seqLen: 12, batchRows: 3, validationRows: 3 });
const config = tinyEncoder(corpus.vocab, corpus.seqLen, { hidden: 8, layers: 1, ffn: 16, dropout: 0.2, attentionDropout: 0.2 });
const tokens = corpus.train[0]!;
const hard = new Map([[tokens.blockIds![0]!, Int32Array.of(1, 2, 4)], [tokens.blockIds![1]!, Int32Array.of(1)]]);
const objective = selfEvolutionObjective({ encoder: config, vocab: corpus.vocab, hardPositions: hard });
const params = objective.init(key(5)).params;
const batch = objective.prepare(tokens, key(6), 0, 'train');

describe('SE reference pass (spec 1f 5, 7)', () => {
  it('has no dropout: two train-mode steps with different keys give bit-identical references, while the training pass differs', () => {
    const forward = (seed: number) =>
      p.evaluate(
        (pr: MlmModelParams, b: SelfEvolutionBatch, k: p.KeyTensor) => {
          const out = selfEvolutionForward(pr, b, config, 'model', dropoutContext(config, k, 'train'));
          return { logits: out.logits, reference: (out.reference as { logProbs: Logits }).logProbs };
        },
        params, batch, keyInput(key(seed)),
      );
    const a = forward(1);
    const b = forward(2);
    expect(Array.from(a.reference.data)).toEqual(Array.from(b.reference.data));
    expect(Array.from(a.logits.data)).not.toEqual(Array.from(b.logits.data));
    // ... and it is the current model in eval mode on the unmasked block
    const evalRef = p.evaluate(
      (pr: MlmModelParams, b: SelfEvolutionBatch) => p.logSoftmax(mlmModelLogits(pr, { inputIds: b.originalIds, attentionMask: b.attentionMask }, config).logits, 'vocab'),
      params, batch,
    );
    expect(Array.from(a.reference.data)).toEqual(Array.from(evalRef.data));
  });

  it('no gradient reaches r: the parameter gradient equals the one with r fed in as a constant input', () => {
    const k = keyInput(key(9));
    const ref = p.evaluate((pr: MlmModelParams, b: SelfEvolutionBatch) => referenceLogProbs(pr, b, config), params, batch);
    const viaObjective = p.evaluate(
      (pr: MlmModelParams, b: SelfEvolutionBatch, kk: p.KeyTensor) => p.grad((q: MlmModelParams) => objective.loss(q, {}, b, kk, 'train', 'default').loss)(pr),
      params, batch, k,
    );
    const withConstantRef = p.evaluate(
      (pr: MlmModelParams, b: SelfEvolutionBatch, kk: p.KeyTensor, r: Logits) =>
        p.grad((q: MlmModelParams) => {
          const { logits } = mlmModelLogits(q, b, config, dropoutContext(config, kk, 'train'));
          const nTok = p.sumAll(p.cast(b.attentionMask, 'f32'));
          return p.div(p.sumAll(evolutionPositions(logits, b.labels, { logProbs: r }, 0.1).loss), nTok) as Tensor<[]>;
        })(pr),
      params, batch, k, ref,
    );
    const flat = (g: unknown) => p.flatten<HostTensor>(g, (x) => x instanceof HostTensor).leaves.flatMap((t) => Array.from(t.data));
    const got = flat(viaObjective);
    const want = flat(withConstantRef);
    expect(got.length).toBe(want.length);
    expect(want.some((v) => Math.abs(v) > 1e-6)).toBe(true);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
  });

  it('loss = Σ ℓ / N_tok with N_tok the non-pad tokens; metrics in nats and bits', () => {
    const out = p.evaluate(
      (pr: MlmModelParams, b: SelfEvolutionBatch, kk: p.KeyTensor) => {
        const o = objective.loss(pr, {}, b, kk, 'eval', 'default');
        const { logits } = mlmModelLogits(pr, b, config);
        return { m: o.metrics, perToken: evolutionPositions(logits, b.labels, { logProbs: referenceLogProbs(pr, b, config) }, 0.1).loss };
      },
      params, batch, keyInput(key(1)),
    );
    const nTok = tokens.attentionMask.reduce((a, b) => a + b, 0);
    const sum = Array.from(out.perToken.data).reduce((a, b) => a + b, 0);
    expect(out.m.loss!.item()).toBeCloseTo(sum / nTok, 12);
    expect(out.m.loss_bits!.item()).toBeCloseTo(sum / nTok / Math.LN2, 12);
    expect(out.m.predictions!.item()).toBe(4 + Array.from(batch.labels.data).slice(2 * tokens.seqLen).filter((v) => v >= 0).length);
    expect(out.m.hard_rows!.item()).toBeCloseTo(2 / 3, 12);
    const realHard = tokens.attentionMask.slice(0, 2 * tokens.seqLen).reduce((a, b) => a + b, 0);
    expect(out.m.hard_fraction!.item()).toBeCloseTo(4 / realHard, 12);
    expect(out.m.loss_nll!.item()).toBeLessThan(out.m.loss!.item() + 1); // both finite nats
  });
});
