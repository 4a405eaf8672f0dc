import { describe, expect, it } from 'vitest';
import * as p from '../../dsl/index.ts';
import type { HostTensor } from '../../dsl/host.ts';
import { keyInput } from '../../dsl/random.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import { encoderConfig } from '../../models/config.ts';
import { mlmObjective } from '../../objectives/mlm.ts';
import type { TokenBatch } from '../../objectives/objective.ts';
import { key } from '../../prng/key.ts';
import { StepRunner, type TrainerOptions } from '../../train/loop.ts';
import { type LossNormalizer, accumulatedLossAndGrads, hostScalar, tokenShareWeights } from '../../train/trainStep.ts';
import { pcfgCorpus } from '../objectives/electra/pcfgCorpus.ts';

// Two micro-batches of padded PCFG sentences with different token counts, and an MLM whose loss is
// a mean over the batch's non-pad tokens (fairseq's cross_entropy normaliser, as in SE and ScTD).
const corpus = pcfgCorpus(4, 64);
const T = 16;
const encoder = encoderConfig({ vocabSize: corpus.vocab.size, hidden: 16, layers: 1, heads: 2, ffn: 32, maxPositions: T, dropout: 0, attentionDropout: 0 });
// budget masks are chosen per row by block id: the same rows get the same masks in any batch
const objective = mlmObjective({ encoder, vocab: corpus.vocab, masking: { kind: 'budget', prob: 0.3, maxPredictions: 5, dupFactor: 1 }, normalizer: 'tokens' });
const first = corpus.paddedBatch(0, 3, T);
const second = corpus.paddedBatch(3, 5, T);
const tokens = (b: TokenBatch) => b.attentionMask.reduce((s, v) => s + v, 0);

/** The rows of two token batches as one. */
function concatRows(a: TokenBatch, b: TokenBatch): TokenBatch {
  const cat = <A extends Int32Array | Uint8Array>(x: A, y: A, make: (n: number) => A): A => {
    const out = make(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    inputIds: cat(a.inputIds, b.inputIds, (n) => new Int32Array(n)),
    attentionMask: cat(a.attentionMask, b.attentionMask, (n) => new Uint8Array(n)),
    rows: a.rows + b.rows,
    seqLen: a.seqLen,
    blockIds: cat(a.blockIds!, b.blockIds!, (n) => new Int32Array(n)),
  };
}

const leaves = (tree: unknown) => p.flatten<HostTensor>(tree, p.isHostTensor).leaves.map((t) => Array.from(t.data));
const params = objective.init(key(1)).params;
const prepared = (b: TokenBatch) => objective.prepare(b, key(2), 0, 'train');
const lossKey = keyInput(key(3));

/** Loss and gradients of the micro-batches combined as the normaliser says, in the float64 interpreter. */
function accumulated(batches: readonly TokenBatch[], normalizer: LossNormalizer) {
  const weights = normalizer === 'total-tokens' ? tokenShareWeights(batches).map(hostScalar) : [];
  const out = p.evaluate(
    (ps: unknown, bs: unknown[], k: Tensor<['key']>, ws: Tensor<[]>[]) => {
      const r = accumulatedLossAndGrads(objective, 'default', 'train', ps, {}, bs, bs.map(() => k), ws.length > 0 ? ws : undefined);
      return { loss: r.loss, grads: r.grads };
    },
    params, batches.map(prepared), lossKey, weights,
  ) as { loss: HostTensor; grads: unknown };
  return { loss: out.loss.item(), grads: leaves(out.grads) };
}

const expectClose = (a: number[][], b: number[][], tol: number) =>
  a.forEach((leaf, i) => leaf.forEach((x, j) => expect(Math.abs(x - b[i]![j]!), `leaf ${i}[${j}]`).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]![j]!)))));

describe('loss normalisers under gradient accumulation', () => {
  it('the micro-batches really differ in token count (else the two normalisers coincide)', () => {
    expect(tokens(first)).not.toBe(tokens(second));
    const w = tokenShareWeights([first, second]);
    expect(w[0]! + w[1]!).toBeCloseTo(1, 15);
    expect(w[0]).toBeCloseTo(tokens(first) / (tokens(first) + tokens(second)), 15);
  });

  it("'total-tokens' (fairseq) equals one pass over the whole update: loss and every gradient", () => {
    const whole = accumulated([concatRows(first, second)], 'mean-of-micro-batches');
    const total = accumulated([first, second], 'total-tokens');
    // the weights are float32 inputs of the step, hence 1e-7 rather than float64 agreement
    expect(Math.abs(total.loss - whole.loss)).toBeLessThan(1e-7 * whole.loss);
    expectClose(total.grads, whole.grads, 1e-7);
  });

  it("'mean-of-micro-batches' (HF, DeepSpeed) equals the mean of the two micro-batch means, not the one-pass loss", () => {
    const a = accumulated([first], 'mean-of-micro-batches');
    const b = accumulated([second], 'mean-of-micro-batches');
    const mean = accumulated([first, second], 'mean-of-micro-batches');
    expect(Math.abs(mean.loss - (a.loss + b.loss) / 2)).toBeLessThan(1e-12);
    expectClose(mean.grads, a.grads.map((leaf, i) => leaf.map((x, j) => (x + b.grads[i]![j]!) / 2)), 1e-10);
    const whole = accumulated([concatRows(first, second)], 'mean-of-micro-batches');
    expect(Math.abs(mean.loss - whole.loss)).toBeGreaterThan(1e-4);
  });
});

const runnerOptions = (lossNormalizer: LossNormalizer): TrainerOptions => ({
  objective, schedule: { kind: 'constant', lr: 1e-2 }, adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, seed: 7, lossNormalizer,
});

describe('StepRunner with a loss normaliser', () => {
  it("'total-tokens' steps on two micro-batches match steps on their rows as one batch (compiled, float32)", () => {
    const whole = new StepRunner(runnerOptions('mean-of-micro-batches'), StepRunner.initialState(objective, 7));
    const split = new StepRunner(runnerOptions('total-tokens'), StepRunner.initialState(objective, 7));
    const mean = new StepRunner(runnerOptions('mean-of-micro-batches'), StepRunner.initialState(objective, 7));
    for (let step = 0; step < 2; step++) {
      const w = whole.step(step, [concatRows(first, second)]);
      const s = split.step(step, [first, second]);
      const m = mean.step(step, [first, second]);
      expect(Math.abs(s.loss - w.loss)).toBeLessThan(1e-5 * w.loss);
      expect(Math.abs(s.gradNorm - w.gradNorm)).toBeLessThan(1e-4 * w.gradNorm);
      expect(Math.abs(m.loss - w.loss)).toBeGreaterThan(1e-3 * w.loss);
    }
    expectClose(leaves(split.state().params), leaves(whole.state().params), 1e-5);
  });

  it("resuming a 'total-tokens' run from its state continues bit for bit", () => {
    const batches = (step: number) => [corpus.paddedBatch(8 * step, 3, T), corpus.paddedBatch(8 * step + 3, 5, T)];
    const straight = new StepRunner(runnerOptions('total-tokens'), StepRunner.initialState(objective, 7));
    const logs = [0, 1, 2, 3].map((s) => straight.step(s, batches(s)));
    const before = new StepRunner(runnerOptions('total-tokens'), StepRunner.initialState(objective, 7));
    [0, 1].forEach((s) => before.step(s, batches(s)));
    const resumed = new StepRunner(runnerOptions('total-tokens'), before.state());
    const after = [2, 3].map((s) => resumed.step(s, batches(s)));
    expect(after.map((l) => [l.loss, l.gradNorm])).toEqual(logs.slice(2).map((l) => [l.loss, l.gradNorm]));
    expect(leaves(resumed.state().params)).toEqual(leaves(straight.state().params));
  });
});
