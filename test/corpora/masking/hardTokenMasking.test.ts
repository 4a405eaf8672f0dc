import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { key } from '../../../prng/index.ts';
import { exactCount, hardTokenMasking, MaskingError } from '../../../corpora/masking/index.ts';
import { CLS, expectProportion, fullGrid, gridArb, IDS, MASK, PAD, seedArb, slice } from './fixtures.ts';

describe('hardTokenMasking (SE stage 2)', () => {
  it('rows with a hard set: selection = H exactly, all [MASK], no budget; other rows = exactCount', () => {
    fc.assert(
      fc.property(gridArb, seedArb, fc.array(fc.array(fc.boolean(), { maxLength: 24 }), { maxLength: 5 }), (g, seed, choice) => {
        const T = g.seqLen;
        const hard = new Map<number, number[]>();
        for (let r = 0; r < g.rows; r++) {
          const id = g.blockIds ? g.blockIds[r]! : r;
          const picks = Array.from({ length: g.lengths[r]! }, (_, t) => t).filter((t) => choice[r]?.[t]);
          if (picks.length > 0 || r % 2 === 0) hard.set(id, picks); // sometimes an explicit empty set
        }
        const out = hardTokenMasking(key(seed), g, { ...IDS, hardPositions: hard });
        const fallback = exactCount(key(seed), g, IDS);
        for (let r = 0; r < g.rows; r++) {
          const H = hard.get(g.blockIds ? g.blockIds[r]! : r) ?? [];
          if (H.length === 0) {
            expect(slice(out.inputIds, r, T)).toEqual(slice(fallback.inputIds, r, T));
            expect(slice(out.selected, r, T)).toEqual(slice(fallback.selected, r, T));
            continue;
          }
          for (let t = 0; t < T; t++) {
            const i = r * T + t;
            expect(out.selected[i]).toBe(H.includes(t) ? 1 : 0);
            expect(out.inputIds[i]).toBe(H.includes(t) ? MASK : g.inputIds[i]);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('|H| = 1 without the compat flag is a normal hard set', () => {
    const g = fullGrid(100, 16);
    const hard = new Map(Array.from({ length: 100 }, (_, r) => [r, [5]]));
    const out = hardTokenMasking(key(3), g, { ...IDS, hardPositions: hard });
    for (let r = 0; r < 100; r++) expect(slice(out.selected, r, 16)).toEqual(Array.from({ length: 16 }, (_, t) => (t === 5 ? 1 : 0)));
  });

  it('seSingleHardTokenCompat: the hard position stays selected, goes through 80/10/10, and ⌊p·n + U⌋ more are drawn', () => {
    const R = 3000;
    const T = 16;
    const g = fullGrid(R, T);
    const hard = new Map(Array.from({ length: R }, (_, r) => [r, [5]]));
    const out = hardTokenMasking(key(8), g, { ...IDS, hardPositions: hard, seSingleHardTokenCompat: true });
    let maskedHard = 0;
    for (let r = 0; r < R; r++) {
      const S = slice(out.selected, r, T);
      expect(S[5]).toBe(1);
      expect([3, 4]).toContain(S.reduce((a, b) => a + b, 0)); // 1 + floor(0.15·16 + U)
      if (out.inputIds[r * T + 5] === MASK) maskedHard++;
    }
    expectProportion(maskedHard, R, 0.8);
  });

  it('seSingleHardTokenCompat: when the extra draw cannot be made, only the hard token is masked, always [MASK]', () => {
    // One real token: num = floor(1·1 + U) = 1 > 0 other candidates, so fairseq's choice fails.
    const ids = Int32Array.from([CLS, PAD, PAD]);
    for (let s = 0; s < 30; s++) {
      const out = hardTokenMasking(key(s), { inputIds: ids, seqLen: 3 }, { ...IDS, maskProb: 1, hardPositions: new Map([[0, [0]]]), seSingleHardTokenCompat: true });
      expect(Array.from(out.selected)).toEqual([1, 0, 0]);
      expect(Array.from(out.inputIds)).toEqual([MASK, PAD, PAD]);
    }
  });

  it('a hard position on padding or out of range is a MaskingError naming the block', () => {
    const g = { inputIds: Int32Array.from([CLS, 9, PAD, PAD]), seqLen: 4, blockIds: [42] };
    for (const bad of [2, 4, -1]) {
      const run = (): unknown => hardTokenMasking(key(1), g, { ...IDS, hardPositions: new Map([[42, [bad]]]) });
      expect(run).toThrow(MaskingError);
      expect(run).toThrow(/block 42/);
    }
  });
});
