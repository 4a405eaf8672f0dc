import { describe, expect, it } from 'vitest';
import { key } from '../../../prng/index.ts';
import { bertBernoulli } from '../../../corpora/masking/index.ts';
import { expectProportion, fullGrid, IDS, MASK, SPECIALS, V } from './fixtures.ts';

describe('bertBernoulli (HF / TACO)', () => {
  const g = fullGrid(2000, 32); // 64k positions, 60k eligible
  const out = bertBernoulli(key(7), g, { ...IDS, maskProb: 0.15 });
  const eligible: number[] = [];
  for (let i = 0; i < g.inputIds.length; i++) if (!SPECIALS.has(g.inputIds[i]!)) eligible.push(i);
  const selected = eligible.filter((i) => out.selected[i]);

  it('selection rate ≈ p over eligible positions, never a special', () => {
    expectProportion(selected.length, eligible.length, 0.15);
    for (let i = 0; i < g.inputIds.length; i++) if (SPECIALS.has(g.inputIds[i]!)) expect(out.selected[i]).toBe(0);
  });

  it('each eligible position is selected at the same rate (column-wise)', () => {
    const T = g.seqLen;
    for (let t = 1; t < T - 1; t++) {
      let c = 0;
      for (let r = 0; r < 2000; r++) c += out.selected[r * T + t]!;
      expectProportion(c, 2000, 0.15);
    }
  });

  it('80/10/10 with random ids uniform over the whole vocab, specials included', () => {
    const masked = selected.filter((i) => out.inputIds[i] === MASK).length;
    const kept = selected.filter((i) => out.inputIds[i] === g.inputIds[i]).length;
    // A random draw can hit [MASK] or the original itself: 1/V each.
    expectProportion(masked, selected.length, 0.8 + 0.1 / V);
    expectProportion(kept, selected.length, 0.1 + 0.1 / V);
    const drawn = new Set(selected.filter((i) => out.inputIds[i] !== MASK && out.inputIds[i] !== g.inputIds[i]).map((i) => out.inputIds[i]));
    for (const s of SPECIALS) if (s !== MASK) expect(drawn.has(s)).toBe(true);
  });

  it('maskProb 0 selects nothing, 1 selects every eligible token', () => {
    const small = fullGrid(4, 8);
    expect(bertBernoulli(key(1), small, { ...IDS, maskProb: 0 }).selected.every((s) => s === 0)).toBe(true);
    const all = bertBernoulli(key(1), small, { ...IDS, maskProb: 1 });
    for (let i = 0; i < small.inputIds.length; i++) expect(all.selected[i]).toBe(SPECIALS.has(small.inputIds[i]!) ? 0 : 1);
  });

  it('bad options are MaskingErrors naming the option', () => {
    expect(() => bertBernoulli(key(1), fullGrid(1, 4), { ...IDS, maskProb: 1.5 })).toThrow(/maskProb/);
    expect(() => bertBernoulli(key(1), { inputIds: new Int32Array(5), seqLen: 4 }, IDS)).toThrow(/multiple of seqLen/);
  });
});

describe('maskingIds: defaults from a vocabulary', () => {
  it('names the special ids of the vocab; all five specials count as special', async () => {
    const { createVocab } = await import('../../../corpora/tokenizer/index.ts');
    const { maskingIds } = await import('../../../corpora/masking/index.ts');
    const vocab = createVocab(['hello', '[MASK]', '[SEP]', 'world', '[CLS]', '[UNK]', '[PAD]']);
    const ids = maskingIds(vocab);
    expect(ids).toMatchObject({ maskId: 1, sepId: 2, clsId: 4, padId: 6, vocabSize: 7 });
    expect([...ids.specialIds].sort()).toEqual([1, 2, 4, 5, 6]);
    // Used as options: no special is ever selected, even at maskProb 1.
    const g = { inputIds: Int32Array.from([4, 0, 3, 5, 2, 6]), seqLen: 6 };
    const out = bertBernoulli(key(1), g, { ...ids, maskProb: 1 });
    expect(Array.from(out.selected)).toEqual([0, 1, 1, 0, 0, 0]);
  });
});
