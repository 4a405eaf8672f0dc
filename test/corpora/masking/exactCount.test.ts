import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { key } from '../../../prng/index.ts';
import { exactCount } from '../../../corpora/masking/index.ts';
import { CLS, expectProportion, fullGrid, gridArb, IDS, MASK, PAD, seedArb, SEP, SPECIALS } from './fixtures.ts';

describe('exactCount (fairseq dynamic masking: SE fallback, ScTD)', () => {
  it('per row, count ∈ {⌊p·n⌋, ⌊p·n⌋+1} with n the non-pad positions; pad never selected', () => {
    fc.assert(
      fc.property(gridArb, seedArb, fc.integer({ min: 0, max: 100 }), (g, seed, k) => {
        const out = exactCount(key(seed), g, { ...IDS, maskProb: k / 100 });
        g.lengths.forEach((n, r) => {
          let c = 0;
          for (let t = 0; t < g.seqLen; t++) {
            c += out.selected[r * g.seqLen + t]!;
            if (g.inputIds[r * g.seqLen + t] === PAD) expect(out.selected[r * g.seqLen + t]).toBe(0);
          }
          const lo = Math.floor((k * n) / 100);
          expect([lo, Math.min(n, lo + 1)]).toContain(c);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('excludeIds shrinks the candidate set (and n)', () => {
    fc.assert(
      fc.property(gridArb, seedArb, (g, seed) => {
        const out = exactCount(key(seed), g, { ...IDS, maskProb: 0.5, excludeIds: [CLS, SEP] });
        for (let i = 0; i < g.inputIds.length; i++) if ([CLS, SEP, PAD].includes(g.inputIds[i]!)) expect(out.selected[i]).toBe(0);
      }),
    );
  });

  const T = 16;
  const R = 3000;
  const g = fullGrid(R, T); // every position a candidate, <s>/</s> included
  const out = exactCount(key(11), g, { ...IDS, maskProb: 0.15 });
  const perRow = Array.from({ length: R }, (_, r) => out.selected.subarray(r * T, (r + 1) * T).reduce((a, b) => a + b, 0));

  it('probabilistic rounding: P(count = ⌊p·n⌋ + 1) ≈ frac(p·n)', () => {
    // p·n = 2.4: counts are 2 or 3, 3 with probability 0.4.
    expect(perRow.every((c) => c === 2 || c === 3)).toBe(true);
    expectProportion(perRow.filter((c) => c === 3).length, R, 0.4);
  });

  it('uniform selection: every position (bos/eos included) chosen at rate E[count]/n', () => {
    const q = 2.4 / T;
    for (let t = 0; t < T; t++) {
      let c = 0;
      for (let r = 0; r < R; r++) c += out.selected[r * T + t]!;
      expectProportion(c, R, q);
    }
  });

  it('80/10/10 with random ids over the non-special vocab', () => {
    const sel: number[] = [];
    for (let i = 0; i < g.inputIds.length; i++) if (out.selected[i]) sel.push(i);
    const words = sel.filter((i) => !SPECIALS.has(g.inputIds[i]!));
    const pool = 40 - SPECIALS.size;
    expectProportion(sel.filter((i) => out.inputIds[i] === MASK).length, sel.length, 0.8);
    expectProportion(words.filter((i) => out.inputIds[i] === g.inputIds[i]).length, words.length, 0.1 + 0.1 / pool);
    for (const i of sel) if (out.inputIds[i] !== MASK && out.inputIds[i] !== g.inputIds[i]) expect(SPECIALS.has(out.inputIds[i]!)).toBe(false);
  });
});
