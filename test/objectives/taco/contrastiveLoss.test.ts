import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { key } from '../../../prng/key.ts';
import { bernoulli, normal, permutation, uniform } from '../../../prng/samplers.ts';
import { sampleTcPairs, tcCandidateIndices, tokenContrastiveLoss } from '../../../objectives/taco/index.ts';

type Hidden = p.Tensor<['batch', 'seq', 'hidden']>;
type Candidates = p.Tensor<['batch', 'seq', 'candidate']>;
type Grid = p.Tensor<['batch', 'seq']>;
const B = 3;
const S = 5;
const H = 4;
const TAU = 0.07;

const hidden = (data: ArrayLike<number>) => new HostTensor(['batch', 'seq', 'hidden'] as ['batch', 'seq', 'hidden'], [B, S, H], 'f32', data);
const candidatesOf = (data: Int32Array, K: number) => new HostTensor(['batch', 'seq', 'candidate'] as ['batch', 'seq', 'candidate'], [B, S, K + 1], 'i32', data);
const anchorsOf = (data: Uint8Array) => new HostTensor(['batch', 'seq'] as ['batch', 'seq'], [B, S], 'bool', data);

function setup(seed: number, K: number, anchorProb = 0.7) {
  const g = normal(key(seed), B * S * H);
  const samples = sampleTcPairs(key(seed + 1), { rows: B, seqLen: S, attentionMask: new Uint8Array(B * S).fill(1) }, { negatives: K, window: 5 });
  const anchors = bernoulli(key(seed + 2), anchorProb, B * S);
  anchors[0] = 1;
  return { g, candidates: tcCandidateIndices(samples), anchors };
}

const lossOf = (g: ArrayLike<number>, candidates: Int32Array, anchors: Uint8Array, K: number, temperature = TAU) =>
  p.evaluate((gg: Hidden, c: Candidates, a: Grid) => tokenContrastiveLoss(gg, c, a, temperature), hidden(g), candidatesOf(candidates, K), anchorsOf(anchors));

/** ℓ_a and metrics in plain float64 JavaScript, from the definition (spec 3b). */
function hostReference(g: ArrayLike<number>, candidates: Int32Array, anchors: Uint8Array, K: number) {
  const unit = (i: number) => {
    const v = Array.from({ length: H }, (_, h) => g[i * H + h]!);
    const n = Math.max(Math.hypot(...v), 1e-12);
    return v.map((x) => x / n);
  };
  let loss = 0;
  let hits = 0;
  let pos = 0;
  let neg = 0;
  let n = 0;
  for (let i = 0; i < B * S; i++) {
    if (!anchors[i]) continue;
    const a = unit(i);
    const cos = Array.from({ length: K + 1 }, (_, k) => unit(candidates[i * (K + 1) + k]!).reduce((s, x, h) => s + x * a[h]!, 0));
    const logits = cos.map((c) => c / TAU);
    const m = Math.max(...logits);
    loss += m + Math.log(logits.reduce((s, l) => s + Math.exp(l - m), 0)) - logits[0]!;
    if (logits.indexOf(m) === 0) hits++;
    pos += cos[0]!;
    neg += cos.slice(1).reduce((s, c) => s + c, 0) / K;
    n++;
  }
  return { loss: loss / n, accuracy: hits / n, positiveCosine: pos / n, negativeCosine: neg / n };
}

const seedArb = fc.integer({ min: 0, max: 100_000 });
const kArb = fc.integer({ min: 1, max: 8 });

describe('token-level contrastive loss (spec 3b, 3f)', () => {
  it('is the cosine InfoNCE of the definition, with its metrics', () => {
    fc.assert(
      fc.property(seedArb, kArb, (seed, K) => {
        const { g, candidates, anchors } = setup(seed, K);
        const out = lossOf(g, candidates, anchors, K);
        const want = hostReference(g, candidates, anchors, K);
        expect(out.loss.item()).toBeCloseTo(want.loss, 10);
        expect(out.accuracy.item()).toBeCloseTo(want.accuracy, 12);
        expect(out.positiveCosine.item()).toBeCloseTo(want.positiveCosine, 12);
        expect(out.negativeCosine.item()).toBeCloseTo(want.negativeCosine, 12);
        expect(out.anchorCount.item()).toBe(anchors.reduce((s, a) => s + a, 0));
      }),
      { numRuns: 10, seed: 31 },
    );
  });

  it('3f 1: unchanged when any g vector is scaled by a positive constant', () => {
    fc.assert(
      fc.property(seedArb, kArb, (seed, K) => {
        const { g, candidates, anchors } = setup(seed, K);
        const scale = uniform(key(seed + 9), B * S, -4, 4).map((e) => 10 ** e);
        const scaled = Float64Array.from(g, (v, j) => v * scale[Math.floor(j / H)]!);
        expect(lossOf(scaled, candidates, anchors, K).loss.item()).toBeCloseTo(lossOf(g, candidates, anchors, K).loss.item(), 10);
      }),
      { numRuns: 10, seed: 32 },
    );
  });

  it('3f 2: permuting the batch rows and remapping the indices gives the same L_TC', () => {
    fc.assert(
      fc.property(seedArb, kArb, (seed, K) => {
        const { g, candidates, anchors } = setup(seed, K);
        const perm = permutation(key(seed + 5), B); // new row r holds old row perm[r]
        const inverse = new Int32Array(B);
        perm.forEach((old, r) => (inverse[old] = r));
        const g2 = new Float64Array(g.length);
        const c2 = new Int32Array(candidates.length);
        const a2 = new Uint8Array(anchors.length);
        for (let r = 0; r < B; r++) {
          const old = perm[r]!;
          g2.set(g.subarray(old * S * H, (old + 1) * S * H), r * S * H);
          a2.set(anchors.subarray(old * S, (old + 1) * S), r * S);
          const block = candidates.subarray(old * S * (K + 1), (old + 1) * S * (K + 1));
          c2.set(block.map((c) => inverse[Math.floor(c / S)]! * S + (c % S)), r * S * (K + 1));
        }
        expect(lossOf(g2, c2, a2, K).loss.item()).toBeCloseTo(lossOf(g, candidates, anchors, K).loss.item(), 12);
      }),
      { numRuns: 10, seed: 33 },
    );
  });

  it('3f 4: when every cosine is equal, ℓ_a = ln(K + 1) (3.932 for K = 50)', () => {
    const K = 50;
    const { candidates } = setup(1, K);
    const direction = [0.3, -1.2, 0.5, 2];
    const scales = uniform(key(8), B * S, 0.1, 5);
    const g = Float64Array.from({ length: B * S * H }, (_, j) => direction[j % H]! * scales[Math.floor(j / H)]!);
    const out = lossOf(g, candidates, new Uint8Array(B * S).fill(1), K);
    expect(out.loss.item()).toBeCloseTo(Math.log(K + 1), 10);
    expect(out.loss.item()).toBeCloseTo(3.932, 3);
    expect(out.perAnchor.data.every((l) => Math.abs(l - Math.log(51)) < 1e-10)).toBe(true);
  });

  it('3f 5: positives and negatives get no gradient, only anchors do (though they change the loss)', () => {
    const K = 6;
    const { g, candidates } = setup(4, K);
    for (const anchor of [0, 7, 14]) {
      const anchors = new Uint8Array(B * S);
      anchors[anchor] = 1;
      const grad = p.evaluate((gg: Hidden, c: Candidates, a: Grid) => p.grad((q: Hidden) => tokenContrastiveLoss(q, c, a, TAU).loss)(gg), hidden(g), candidatesOf(candidates, K), anchorsOf(anchors));
      const used = new Set(Array.from(candidates.subarray(anchor * (K + 1), (anchor + 1) * (K + 1))));
      used.delete(anchor);
      for (let i = 0; i < B * S; i++) {
        const norm = Math.hypot(...Array.from(grad.data.subarray(i * H, (i + 1) * H)));
        if (i === anchor) expect(norm).toBeGreaterThan(1e-6);
        else expect(norm, `position ${i}`).toBe(0);
      }
      // the zero is the detach, not independence: moving a used candidate changes the loss
      const c = [...used][0]!;
      const moved = Float64Array.from(g, (v, j) => (Math.floor(j / H) === c ? v + 0.5 * Math.cos(j) : v));
      expect(Math.abs(lossOf(moved, candidates, anchors, K).loss.item() - lossOf(g, candidates, anchors, K).loss.item())).toBeGreaterThan(1e-6);
    }
  });

  it('zero vectors (g = 0) give a finite loss and a finite gradient (F.normalize eps guard)', () => {
    const K = 4;
    const { g, candidates } = setup(5, K);
    g.fill(0, 0, 3 * H);
    const anchors = new Uint8Array(B * S).fill(1);
    const out = p.evaluate((gg: Hidden, c: Candidates, a: Grid) => p.valueAndGrad((q: Hidden) => tokenContrastiveLoss(q, c, a, TAU).loss)(gg), hidden(g), candidatesOf(candidates, K), anchorsOf(anchors));
    expect(Number.isFinite(out.value.item())).toBe(true);
    expect(out.grads.data.every(Number.isFinite)).toBe(true);
  });
});
