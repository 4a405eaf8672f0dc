import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import type { Tensor } from '../../../dsl/tensor.ts';
import { type EvolutionReference, evolutionPositions, evolutionTarget } from '../../../objectives/selfEvolution/index.ts';
import { normalHost, seedArb } from '../../helpers/arbitraries.ts';

type Logits = Tensor<['batch', 'seq', 'vocab']>;
type Grid = Tensor<['batch', 'seq']>;
const B = 2;
const S = 3;
const V = 5;
const IGNORE = -100;

/** Labels in [0, V) with some positions ignored (at least one selected). */
function labelsFor(seed: number): HostTensor<['batch', 'seq']> {
  const data = Array.from({ length: B * S }, (_, i) => ((seed >> i) & 3) === 0 && i > 0 ? IGNORE : (seed * 7 + i * 3) % V);
  return new HostTensor(['batch', 'seq'], [B, S], 'i32', data);
}

const logitsOf = (seed: number, scale = 2) => normalHost(seed, ['batch', 'seq', 'vocab'], [B, S, V], (v) => v * scale);

/** Host log-softmax of position i (flat over batch×seq) of [B,S,V] logits. */
function hostLogSoftmax(z: ArrayLike<number>, i: number): number[] {
  const row = Array.from({ length: V }, (_, v) => z[i * V + v]!);
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
  return row.map((x) => x - lse);
}

type RefKind = 'model' | 'uniform' | 'none';
const reference = (kind: RefKind, refLogits: Logits): EvolutionReference => (kind === 'model' ? { logProbs: p.logSoftmax(refLogits, 'vocab') } : kind);

function run(kind: RefKind, alpha: number, z: HostTensor<readonly ['batch', 'seq', 'vocab']>, refZ: HostTensor<readonly ['batch', 'seq', 'vocab']>, labels: HostTensor<readonly ['batch', 'seq']>, nTok = 7) {
  return p.evaluate(
    (zz: Logits, rz: Logits, y: Grid) => {
      const pos = evolutionPositions(zz, y, reference(kind, rz), alpha);
      const total = (zl: Logits, rl: Logits) => p.div(p.sumAll(evolutionPositions(zl, y, reference(kind, rl), alpha).loss), nTok) as Tensor<[]>;
      return {
        loss: pos.loss,
        nll: pos.nll,
        q: evolutionTarget(y, reference(kind, rz), alpha, V),
        probs: p.softmax(zz, 'vocab'),
        gradZ: p.grad((zl: Logits) => total(zl, rz))(zz),
        gradRef: p.grad((rl: Logits) => total(zz, rl))(rz),
      };
    },
    z, refZ, labels,
  );
}

describe('SE target q and per-token loss ℓ (spec 1f 4-6)', () => {
  it('q ≥ 0, Σ_v q = 1, q(y) ≥ 1-α at every predicted position, for every reference', () => {
    fc.assert(
      fc.property(seedArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom<RefKind>('model', 'uniform', 'none'), (seed, alpha, kind) => {
        const y = labelsFor(seed);
        const out = run(kind, alpha, logitsOf(seed), logitsOf(seed + 1, 4), y);
        for (let i = 0; i < B * S; i++) {
          if (y.data[i]! < 0) continue;
          const q = Array.from({ length: V }, (_, v) => out.q.data[i * V + v]!);
          for (const x of q) expect(x).toBeGreaterThanOrEqual(0);
          expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
          expect(q[y.data[i]!]!).toBeGreaterThanOrEqual(1 - alpha - 1e-12);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('α = 0 and reference "none" give plain cross-entropy; uniform r gives standard label smoothing', () => {
    fc.assert(
      fc.property(seedArb, fc.double({ min: 0.01, max: 0.5, noNaN: true }), (seed, alpha) => {
        const y = labelsFor(seed);
        const z = logitsOf(seed);
        const plain = run('model', 0, z, logitsOf(seed + 1), y);
        const none = run('none', alpha, z, logitsOf(seed + 1), y);
        const smooth = run('uniform', alpha, z, logitsOf(seed + 1), y);
        for (let i = 0; i < B * S; i++) {
          const label = y.data[i]!;
          if (label < 0) {
            expect(Math.abs(plain.loss.data[i]!)).toBe(0);
            continue;
          }
          const logp = hostLogSoftmax(z.data, i);
          const ce = -logp[label]!;
          expect(plain.loss.data[i]).toBeCloseTo(ce, 12);
          expect(none.loss.data[i]).toBeCloseTo(ce, 12);
          const ls = (1 - alpha) * ce + alpha * (-logp.reduce((a, b) => a + b, 0) / V);
          expect(smooth.loss.data[i]).toBeCloseTo(ls, 12);
          expect(smooth.nll.data[i]).toBeCloseTo(ce, 12);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('∂L/∂z_t = (p_t - q_t)/N_tok at predicted positions (0 elsewhere), and no gradient reaches the reference logits', () => {
    fc.assert(
      fc.property(seedArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom<RefKind>('model', 'uniform'), (seed, alpha, kind) => {
        const y = labelsFor(seed);
        const nTok = 7;
        const out = run(kind, alpha, logitsOf(seed), logitsOf(seed + 1, 4), y, nTok);
        for (let i = 0; i < B * S; i++) {
          for (let v = 0; v < V; v++) {
            const j = i * V + v;
            const want = y.data[i]! < 0 ? 0 : (out.probs.data[j]! - out.q.data[j]!) / nTok;
            expect(out.gradZ.data[j]).toBeCloseTo(want, 12);
            expect(Math.abs(out.gradRef.data[j]!)).toBe(0);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('ℓ_t ≥ H(q_t), the gap is KL(q_t ‖ p_t) > 0, and equality when p_t = q_t', () => {
    fc.assert(
      fc.property(seedArb, fc.double({ min: 0.05, max: 1, noNaN: true }), (seed, alpha) => {
        const y = labelsFor(seed);
        const refZ = logitsOf(seed + 1, 3);
        const out = run('model', alpha, logitsOf(seed), refZ, y);
        // p = q: logits = ln q (q > 0 everywhere since r is a softmax and α > 0)
        const atQ = run('model', alpha, new HostTensor(['batch', 'seq', 'vocab'], [B, S, V], 'f32', Float64Array.from(out.q.data, Math.log)), refZ, y);
        for (let i = 0; i < B * S; i++) {
          if (y.data[i]! < 0) continue;
          let entropy = 0;
          let kl = 0;
          for (let v = 0; v < V; v++) {
            const q = out.q.data[i * V + v]!;
            if (q > 0) {
              entropy -= q * Math.log(q);
              kl += q * (Math.log(q) - Math.log(out.probs.data[i * V + v]!));
            }
          }
          expect(out.loss.data[i]! - entropy).toBeCloseTo(kl, 10);
          expect(out.loss.data[i]! - entropy).toBeGreaterThan(1e-9);
          expect(atQ.loss.data[i]).toBeCloseTo(entropy, 12);
        }
      }),
      { numRuns: 30 },
    );
  });
});
