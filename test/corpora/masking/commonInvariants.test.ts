import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { key } from '../../../prng/index.ts';
import {
  bertBernoulli, budgetBertMask, electraSelection, exactCount, hardTokenMasking, IGNORE_INDEX, type MaskedTokens, type TokenGrid,
} from '../../../corpora/masking/index.ts';
import type { Key } from '../../../prng/index.ts';
import { CLS, fullGrid, gridArb, IDS, MASK, PAD, seedArb, SEP, singleRow, slice, SPECIALS, V } from './fixtures.ts';

type Variant = { name: string; run: (k: Key, g: TokenGrid) => MaskedTokens; never: ReadonlySet<number>; unchangedOff: boolean };

const VARIANTS: Variant[] = [
  { name: 'bertBernoulli', run: (k, g) => bertBernoulli(k, g, { ...IDS, maskProb: 0.3 }), never: SPECIALS, unchangedOff: true },
  { name: 'exactCount', run: (k, g) => exactCount(k, g, { ...IDS, maskProb: 0.3 }), never: new Set([PAD]), unchangedOff: true },
  { name: 'budgetBertMask', run: (k, g) => budgetBertMask(k, g, { ...IDS, maskProb: 0.3 }), never: new Set([PAD, CLS, SEP]), unchangedOff: true },
  {
    name: 'electraSelection',
    run: (k, g) => electraSelection(k, g, { maskProb: 0.3, maskTokenId: MASK, padTokenId: PAD, maskIgnoreTokenIds: [CLS, SEP] }),
    never: new Set([PAD, CLS, SEP]),
    unchangedOff: true,
  },
  {
    name: 'hardTokenMasking (mixed hard / fallback rows)',
    run: (k, g) => {
      // Hard sets for blocks with even ids: their real positions at even offsets.
      const hard = new Map<number, number[]>();
      const T = g.seqLen;
      for (let r = 0; r < g.inputIds.length / T; r++) {
        const id = g.blockIds ? g.blockIds[r]! : r;
        if (id % 2 === 0) hard.set(id, Array.from({ length: T }, (_, t) => t).filter((t) => t % 2 === 0 && g.inputIds[r * T + t] !== PAD));
      }
      return hardTokenMasking(k, g, { ...IDS, maskProb: 0.3, hardPositions: hard });
    },
    never: new Set([PAD]),
    unchangedOff: true,
  },
];

describe.each(VARIANTS)('$name: invariants', ({ run, never, unchangedOff }) => {
  it('labels = original on the selection, ignore elsewhere; unselected inputs unchanged; never selects excluded ids', () => {
    fc.assert(
      fc.property(gridArb, seedArb, (g, seed) => {
        const out = run(key(seed), g);
        expect(out.inputIds.length).toBe(g.inputIds.length);
        for (let i = 0; i < g.inputIds.length; i++) {
          const x = g.inputIds[i]!;
          if (out.selected[i]) {
            expect(never.has(x)).toBe(false);
            expect(out.labels[i]).toBe(x);
            expect(out.inputIds[i]).toBeGreaterThanOrEqual(0);
            expect(out.inputIds[i]).toBeLessThan(V);
          } else {
            expect(out.labels[i]).toBe(IGNORE_INDEX);
            if (unchangedOff) expect(out.inputIds[i]).toBe(x);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('same key, same masking; a row masks the same alone as inside its batch', () => {
    fc.assert(
      fc.property(gridArb, seedArb, (g, seed) => {
        const a = run(key(seed), g);
        const b = run(key(seed), g);
        expect(b).toEqual(a);
        const r = g.rows - 1;
        const alone = run(key(seed), singleRow(g, r));
        expect(Array.from(alone.inputIds)).toEqual(slice(a.inputIds, r, g.seqLen));
        expect(Array.from(alone.selected)).toEqual(slice(a.selected, r, g.seqLen));
      }),
      { numRuns: 60 },
    );
  });

  it('different keys give different masks (on a 64 x 32 grid)', () => {
    const g = fullGrid(64, 32);
    const seen = new Set<string>();
    for (let s = 0; s < 20; s++) seen.add(Buffer.from(run(key(s), g).inputIds.buffer).toString('base64'));
    expect(seen.size).toBe(20);
  });

  it('does not modify its input', () => {
    const g = fullGrid(8, 16);
    const before = Array.from(g.inputIds);
    run(key(1), g);
    expect(Array.from(g.inputIds)).toEqual(before);
  });
});
