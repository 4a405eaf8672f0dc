import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { key } from '../../../prng/key.ts';
import { TacoBatchError, sampleTcPairs, tcCandidateIndices, type TokenLayout } from '../../../objectives/taco/index.ts';

/** Rows with `lengths[b]` tokens, then padding (lengths === T everywhere: TACO's unpadded blocks). */
function layout(lengths: readonly number[], T: number): TokenLayout {
  const attentionMask = new Uint8Array(lengths.length * T);
  lengths.forEach((n, b) => attentionMask.fill(1, b * T, b * T + n));
  return { rows: lengths.length, seqLen: T, attentionMask };
}

const caseArb = fc
  .record({
    T: fc.integer({ min: 1, max: 12 }),
    rows: fc.integer({ min: 2, max: 5 }),
    window: fc.constantFrom(3, 5, 7, 9),
    negatives: fc.integer({ min: 1, max: 6 }),
    padded: fc.boolean(),
    seed: fc.integer({ min: 0, max: 100_000 }),
  })
  .chain((c) => fc.record({ c: fc.constant(c), lengths: fc.array(fc.integer({ min: 0, max: c.T }), { minLength: c.rows, maxLength: c.rows }) }))
  .map(({ c, lengths }) => ({ ...c, lengths: c.padded ? lengths : lengths.map(() => c.T) }))
  .filter(({ lengths }) => lengths.filter((n) => n > 0).length >= 2);

describe('TACO sampler (spec 3f 3)', () => {
  it('negatives never come from the anchor row; positives come from it, are never the anchor, and |δ| <= floor(W/2) unless the fallback fired, which it does only out of range', () => {
    let fallbacks = 0;
    let windowed = 0;
    fc.assert(
      fc.property(caseArb, ({ T, window, negatives: K, lengths, seed }) => {
        const l = layout(lengths, T);
        const s = sampleTcPairs(key(seed), l, { negatives: K, window });
        const candidates = tcCandidateIndices(s);
        const half = Math.floor(window / 2);
        lengths.forEach((n, b) => {
          for (let t = 0; t < T; t++) {
            const i = b * T + t;
            expect(s.hasPositive[i]).toBe(t < n && n >= 2 ? 1 : 0);
            const d = s.delta[i]!;
            expect(d !== 0 && Math.abs(d) <= half).toBe(true);
            if (s.hasPositive[i]) {
              const pos = s.positive[i]!;
              expect(Math.floor(candidates[i * (K + 1)]! / T)).toBe(b); // same row
              expect(candidates[i * (K + 1)]! % T).toBe(pos);
              expect(pos).not.toBe(t);
              expect(l.attentionMask[b * T + pos]).toBe(1);
              const inRange = t + d >= 0 && t + d < n; // rows are [tokens.., pads..]
              expect(s.fallback[i]).toBe(inRange ? 0 : 1);
              if (!s.fallback[i]) expect(pos).toBe(t + d);
              if (s.fallback[i]) fallbacks++;
              else windowed++;
            }
            for (let k = 0; k < K; k++) {
              const c = candidates[i * (K + 1) + 1 + k]!;
              const row = Math.floor(c / T);
              expect(row).not.toBe(b);
              expect(row).toBe(s.negativeRow[i * K + k]);
              expect(l.attentionMask[c]).toBe(1); // a real token of that row
            }
          }
        });
      }),
      { numRuns: 150, seed: 21 },
    );
    expect(fallbacks).toBeGreaterThan(50);
    expect(windowed).toBeGreaterThan(50);
  });

  it('without padding: δ uniform over ±1..±floor(W/2), negative rows uniform over the other rows, weak positives uniform over the row', () => {
    const T = 12;
    const B = 4;
    const s = sampleTcPairs(key(3), layout(new Array(B).fill(T), T), { negatives: 400, window: 5 });
    const deltas = new Map<number, number>();
    for (const d of s.delta) deltas.set(d, (deltas.get(d) ?? 0) + 1);
    expect([...deltas.keys()].sort((a, b) => a - b)).toEqual([-2, -1, 1, 2]);
    for (const c of deltas.values()) expect(Math.abs(c / (B * T) - 0.25)).toBeLessThan(0.1);
    const rowCounts = new Array<number>(B).fill(0);
    for (let i = 0; i < B * T * 400; i++) if (Math.floor(i / (T * 400)) === 0) rowCounts[s.negativeRow[i]!]++;
    expect(rowCounts[0]).toBe(0);
    for (const c of rowCounts.slice(1)) expect(Math.abs(c / (T * 400) - 1 / 3)).toBeLessThan(0.03);
    const columns = new Array<number>(T).fill(0);
    for (const c of s.negativeColumn) columns[c]++;
    for (const c of columns) expect(Math.abs(c / s.negativeColumn.length - 1 / T)).toBeLessThan(0.01);
    // weak positives of the first token (δ < 0 falls off the row): uniform over columns 1..T-1
    const many = sampleTcPairs(key(4), layout(new Array(3000).fill(T), T), { negatives: 1, window: 5 });
    const weak = new Array<number>(T).fill(0);
    let n = 0;
    for (let b = 0; b < 3000; b++) {
      if (!many.fallback[b * T]) continue;
      n++;
      weak[many.positive[b * T]!]++;
    }
    expect(weak[0]).toBe(0);
    for (const c of weak.slice(1)) expect(Math.abs(c / n - 1 / (T - 1))).toBeLessThan(0.03);
  });

  it('is pure in the key and redrawn with a new key', () => {
    const l = layout([8, 8, 8], 8);
    const a = sampleTcPairs(key(1), l, { negatives: 5, window: 5 });
    const b = sampleTcPairs(key(1), l, { negatives: 5, window: 5 });
    const c = sampleTcPairs(key(2), l, { negatives: 5, window: 5 });
    expect(Array.from(tcCandidateIndices(b))).toEqual(Array.from(tcCandidateIndices(a)));
    expect(Array.from(tcCandidateIndices(c))).not.toEqual(Array.from(tcCandidateIndices(a)));
  });

  it('needs two rows with tokens (TacoBatchError otherwise)', () => {
    expect(() => sampleTcPairs(key(1), layout([8], 8), { negatives: 5, window: 5 })).toThrow(TacoBatchError);
    expect(() => sampleTcPairs(key(1), layout([8, 0, 0], 8), { negatives: 5, window: 5 })).toThrow(TacoBatchError);
  });
});
