import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { key } from '../../../prng/index.ts';
import { electraSelection, IGNORE_INDEX } from '../../../corpora/masking/index.ts';
import { CLS, expectProportion, fullGrid, gridArb, MASK, PAD, seedArb, SEP, V } from './fixtures.ts';

const base = { maskTokenId: MASK, padTokenId: PAD, maskIgnoreTokenIds: [CLS, SEP] };
const ceil = (a: number, b: number): number => Math.floor((a + b - 1) / b);
const maskableCount = (row: number[]): number => row.filter((x) => x !== PAD && x !== CLS && x !== SEP).length;

describe('electraSelection, intended rule', () => {
  it('|S_b| = min(ceil(p·n_b), ceil(p·T)) among maskable; x^g differs only at S and only by [MASK]', () => {
    fc.assert(
      fc.property(gridArb, seedArb, fc.integer({ min: 0, max: 100 }), (g, seed, k) => {
        const out = electraSelection(key(seed), g, { ...base, maskProb: k / 100 });
        const T = g.seqLen;
        for (let r = 0; r < g.rows; r++) {
          const row = Array.from(g.inputIds.subarray(r * T, (r + 1) * T));
          const n = maskableCount(row);
          const S = out.selected.subarray(r * T, (r + 1) * T);
          expect(S.reduce((a, b) => a + b, 0)).toBe(Math.min(ceil(k * n, 100), ceil(k * T, 100)));
          row.forEach((x, t) => {
            const i = r * T + t;
            if (S[t]) expect([PAD, CLS, SEP]).not.toContain(x);
            if (out.inputIds[i] !== x) {
              expect(S[t]).toBe(1);
              expect(out.inputIds[i]).toBe(MASK);
            }
          });
        }
        expect(out.randomized.every((x) => x === 0)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('replace_prob: a selected token becomes [MASK] with probability 0.85, else stays', () => {
    const g = fullGrid(3000, 22);
    const out = electraSelection(key(2), g, base);
    let sel = 0;
    let masked = 0;
    for (let i = 0; i < g.inputIds.length; i++) {
      if (!out.selected[i]) continue;
      sel++;
      if (out.inputIds[i] === MASK) masked++;
      else expect(out.inputIds[i]).toBe(g.inputIds[i]);
    }
    expect(sel).toBe(3000 * 3);
    expectProportion(masked, sel, 0.85);
    // Uniform over the 20 maskable positions.
    for (let t = 1; t < 21; t++) {
      let c = 0;
      for (let r = 0; r < 3000; r++) c += out.selected[r * 22 + t]!;
      expectProportion(c, 3000, 3 / 20);
    }
  });

  it('random_token_prob corrupts positions outside S too, never with ignored ids; labels stay S-only', () => {
    const g = fullGrid(500, 22);
    const out = electraSelection(key(4), g, { ...base, randomTokenProb: 0.2, numTokens: V });
    let outside = 0;
    for (let i = 0; i < g.inputIds.length; i++) {
      if (out.randomized[i]) {
        expect([PAD, CLS, SEP]).not.toContain(out.inputIds[i]);
        if (!out.selected[i]) outside++;
      } else if (!out.selected[i]) expect(out.inputIds[i]).toBe(g.inputIds[i]);
      expect(out.labels[i]).toBe(out.selected[i] ? g.inputIds[i] : IGNORE_INDEX);
    }
    expect(outside).toBeGreaterThan(0);
    expect(() => electraSelection(key(4), g, { ...base, randomTokenProb: 0.2 })).toThrow(/numTokens/);
  });
});

describe('electraSelection, lucidrainsCompat', () => {
  const compat = { ...base, lucidrainsCompat: true };

  it('[CLS] + 20 tokens + [SEP] at p = 0.15 gives 4 masks (intended: 3), for every key', () => {
    const g = fullGrid(200, 22);
    const c = electraSelection(key(1), g, compat);
    const i = electraSelection(key(1), g, base);
    for (let r = 0; r < 200; r++) {
      expect(c.selected.subarray(r * 22, (r + 1) * 22).reduce((a, b) => a + b, 0)).toBe(4);
      expect(i.selected.subarray(r * 22, (r + 1) * 22).reduce((a, b) => a + b, 0)).toBe(3);
    }
  });

  it('one real token + 30 pads gives 5 masks, 4 of them on ignored ids (labels ignored there)', () => {
    for (let s = 0; s < 50; s++) {
      const ids = Int32Array.from([17, ...Array(30).fill(PAD)]);
      const out = electraSelection(key(s), { inputIds: ids, seqLen: 31 }, compat);
      const S = [...out.selected.keys()].filter((t) => out.selected[t]);
      expect(S).toHaveLength(5);
      expect(S).toContain(0);
      expect(S.filter((t) => ids[t] === PAD)).toHaveLength(4);
      expect(out.labels[0]).toBe(17);
      for (const t of S) if (t > 0) expect(out.labels[t]).toBe(IGNORE_INDEX);
    }
  });

  it('count = #{k < ceil(p·T) : maskable count at column k <= ceil(p·n_b)}, maskable positions picked first', () => {
    fc.assert(
      fc.property(gridArb, seedArb, fc.integer({ min: 1, max: 99 }), (g, seed, k) => {
        const out = electraSelection(key(seed), g, { ...compat, maskProb: k / 100 });
        const T = g.seqLen;
        for (let r = 0; r < g.rows; r++) {
          const row = Array.from(g.inputIds.subarray(r * T, (r + 1) * T));
          const n = maskableCount(row); // n < 100 here, where float32 agrees with exact arithmetic
          let running = 0;
          let expected = 0;
          for (let col = 0; col < ceil(k * T, 100); col++) {
            if (![PAD, CLS, SEP].includes(row[col]!)) running++;
            if (running <= ceil(k * n, 100)) expected++;
          }
          const S = row.map((_, t) => out.selected[r * T + t]!);
          expect(S.reduce((a, b) => a + b, 0)).toBe(expected);
          const onMaskable = row.filter((x, t) => S[t] && ![PAD, CLS, SEP].includes(x)).length;
          expect(onMaskable).toBe(Math.min(expected, n));
        }
      }),
      { numRuns: 200 },
    );
  });
});
