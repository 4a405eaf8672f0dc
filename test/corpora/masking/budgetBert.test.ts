import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { foldIn, key } from '../../../prng/index.ts';
import { budgetBertMask, budgetBertStatic } from '../../../corpora/masking/index.ts';
import { CLS, expectProportion, fullGrid, gridArb, IDS, MASK, PAD, seedArb, SEP, V } from './fixtures.ts';

/** Python round(15·n/100), ties to even, in integer arithmetic. */
const pyRound15 = (n: number): number => {
  const q = Math.floor((15 * n) / 100);
  const twice = 2 * (15 * n - 100 * q);
  return twice > 100 ? q + 1 : twice < 100 ? q : q % 2 === 0 ? q : q + 1;
};

describe('budgetBertStatic (academic-budget BERT, PCFG study)', () => {
  it('predictions = min(#candidates, maxPredictions, max(1, round(0.15·#tokens))); never [CLS]/[SEP]/[PAD]', () => {
    fc.assert(
      fc.property(gridArb, seedArb, fc.integer({ min: 0, max: 8 }), (g, seed, maxPredictions) => {
        const out = budgetBertMask(key(seed), g, { ...IDS, maxPredictions });
        g.lengths.forEach((n, r) => {
          const row = Array.from(g.inputIds.subarray(r * g.seqLen, (r + 1) * g.seqLen));
          const candidates = row.filter((x) => x !== CLS && x !== SEP && x !== PAD).length;
          const c = out.selected.subarray(r * g.seqLen, (r + 1) * g.seqLen).reduce((a, b) => a + b, 0);
          expect(c).toBe(Math.min(candidates, maxPredictions, Math.max(1, pyRound15(n))));
          row.forEach((x, t) => { if (x === CLS || x === SEP || x === PAD) expect(out.selected[r * g.seqLen + t]).toBe(0); });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('uses Python rounding: 30 tokens at p=0.15 give 4 predictions (round(4.5) = 4)', () => {
    const g = fullGrid(50, 30);
    const out = budgetBertMask(key(3), g, { ...IDS, maxPredictions: 10 });
    for (let r = 0; r < 50; r++) expect(out.selected.subarray(r * 30, (r + 1) * 30).reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('dupFactor static copies: copy c = one masking under foldIn(key, c); copies differ', () => {
    const g = fullGrid(32, 20);
    const copies = budgetBertStatic(key(5), g, { ...IDS, dupFactor: 5 });
    expect(copies).toHaveLength(5);
    copies.forEach((c, i) => expect(c).toEqual(budgetBertMask(foldIn(key(5), i), g, IDS)));
    const distinct = new Set(copies.map((c) => Array.from(c.selected).join('')));
    expect(distinct.size).toBe(5);
  });

  it('80% [MASK] / 10% unchanged / 10% random from the full vocab; uniform over candidates', () => {
    const T = 20;
    const R = 4000;
    const g = fullGrid(R, T);
    const out = budgetBertMask(key(9), g, IDS);
    const sel: number[] = [];
    for (let i = 0; i < g.inputIds.length; i++) if (out.selected[i]) sel.push(i);
    expect(sel.length).toBe(R * 3); // round(0.15 · 20) = 3
    expectProportion(sel.filter((i) => out.inputIds[i] === MASK).length, sel.length, 0.8 + 0.1 / V);
    expectProportion(sel.filter((i) => out.inputIds[i] === g.inputIds[i]).length, sel.length, 0.1 + 0.1 / V);
    for (let t = 1; t < T - 1; t++) {
      let c = 0;
      for (let r = 0; r < R; r++) c += out.selected[r * T + t]!;
      expectProportion(c, R, 3 / (T - 2));
    }
  });
});
