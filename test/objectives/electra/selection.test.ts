import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { key } from '../../../prng/key.ts';
import { electraObjective } from '../../../objectives/electra/index.ts';
import { TINY_VOCAB, rowsOf, tinyElectraModel, tinyElectraOptions, tinyTokens } from './tinyElectra.ts';

const IGNORE = -100;
const lengthsArb = fc.array(fc.integer({ min: 0, max: 14 }), { minLength: 1, maxLength: 4 });

describe('ELECTRA prepare: selection S and generator input x^g (spec 4f 1, 3)', () => {
  it('intended rule: S lies on maskable tokens and |S_b| = ceil(p·n_b)', () => {
    fc.assert(
      fc.property(lengthsArb, fc.integer({ min: 0, max: 1000 }), fc.constantFrom(0.15, 0.3, 0.5), (lengths, seed, maskProb) => {
        const T = 16;
        const objective = electraObjective(tinyElectraOptions({ maskProb }));
        const tokens = tinyTokens(lengths, T, seed);
        const batch = objective.prepare(tokens, key(seed), 0, 'train');
        const ids = rowsOf(batch.inputIds, T);
        rowsOf(batch.selected, T).forEach((sel, b) => {
          const maskable = ids[b]!.map((id) => ![TINY_VOCAB.pad, TINY_VOCAB.cls, TINY_VOCAB.sep].includes(id));
          const n = maskable.filter(Boolean).length;
          sel.forEach((s, t) => s && expect(maskable[t], `row ${b} col ${t}`).toBe(true));
          expect(sel.reduce((a, s) => a + s, 0)).toBe(Math.ceil((Math.round(maskProb * 100) * n) / 100)); // exact ceil(p·n)
        });
      }),
      { numRuns: 40, seed: 11 },
    );
  });

  it('lucidrainsCompat: [CLS] + 20 tokens + [SEP] at p = 0.15 gets 4 masks, the intended rule 3', () => {
    const tokens = tinyTokens([20], 22);
    for (let seed = 0; seed < 20; seed++) {
      const count = (compat: boolean) => {
        const options = tinyElectraOptions({ lucidrainsCompat: compat, model: tinyElectraModel({ maxPositions: 22 }) });
        const batch = electraObjective(options).prepare(tokens, key(seed), 0, 'train');
        return Array.from(batch.selected.data).reduce((a, s) => a + s, 0);
      };
      expect(count(true)).toBe(4);
      expect(count(false)).toBe(3);
    }
  });

  it('defaults: x^g differs from x only at S and only by [MASK]; labels are x on S and -100 elsewhere', () => {
    fc.assert(
      fc.property(lengthsArb, fc.integer({ min: 0, max: 1000 }), (lengths, seed) => {
        const T = 16;
        const batch = electraObjective(tinyElectraOptions({ maskProb: 0.5 })).prepare(tinyTokens(lengths, T, seed), key(seed + 7), 0, 'train');
        const x = batch.inputIds.data;
        const xg = batch.generatorInputIds.data;
        for (let i = 0; i < x.length; i++) {
          if (!batch.selected.data[i]) expect(xg[i]).toBe(x[i]);
          else expect([x[i], TINY_VOCAB.mask]).toContain(xg[i]);
          expect(batch.labels.data[i]).toBe(batch.selected.data[i] ? x[i] : IGNORE);
        }
      }),
      { numRuns: 40, seed: 12 },
    );
  });

  it('about replace_prob of S becomes [MASK] (0.85 by default)', () => {
    let masked = 0;
    let selected = 0;
    for (let seed = 0; seed < 40; seed++) {
      const batch = electraObjective(tinyElectraOptions({ maskProb: 0.5 })).prepare(tinyTokens([14, 14, 14, 14], 16, seed), key(seed), 0, 'train');
      for (let i = 0; i < batch.selected.data.length; i++) {
        if (!batch.selected.data[i]) continue;
        selected++;
        if (batch.generatorInputIds.data[i] === TINY_VOCAB.mask) masked++;
      }
    }
    expect(selected).toBeGreaterThan(1000);
    expect(Math.abs(masked / selected - 0.85)).toBeLessThan(0.03);
  });

  it('random tokens (randomTokenProb > 0) stay in S, as the reference: |S_b| = ceil(p·n_b), labels x on all of S, x^g random there', () => {
    const T = 16;
    const maskProb = 0.5;
    let randomInS = 0;
    let changedOutside = 0;
    for (let seed = 0; seed < 8; seed++) {
      const tokens = tinyTokens([14, 14, 14], T, seed);
      const batch = electraObjective(tinyElectraOptions({ maskProb, randomTokenProb: 0.3 })).prepare(tokens, key(seed + 9), 0, 'train');
      const x = batch.inputIds.data;
      const xg = batch.generatorInputIds.data;
      rowsOf(batch.selected, T).forEach((sel) => expect(sel.reduce((a, s) => a + s, 0)).toBe(Math.ceil(maskProb * 14)));
      for (let i = 0; i < x.length; i++) {
        expect(batch.labels.data[i]).toBe(batch.selected.data[i] ? x[i] : IGNORE);
        const corrupted = xg[i] !== x[i] && xg[i] !== TINY_VOCAB.mask;
        if (batch.selected.data[i] && corrupted) randomInS++; // R ∩ S: a random id, still selected and labelled
        if (!batch.selected.data[i] && xg[i] !== x[i]) changedOutside++; // R outside S: any id but the ignored ones
      }
    }
    expect(randomInS).toBeGreaterThan(0);
    expect(changedOutside).toBeGreaterThan(0);
  });

  it('is pure in the key', () => {
    const objective = electraObjective(tinyElectraOptions());
    const tokens = tinyTokens([10, 7], 16);
    const a = objective.prepare(tokens, key(5), 0, 'train');
    const b = objective.prepare(tokens, key(5), 3, 'train');
    const c = objective.prepare(tokens, key(6), 0, 'train');
    expect(Array.from(b.generatorInputIds.data)).toEqual(Array.from(a.generatorInputIds.data));
    expect(Array.from(c.selected.data)).not.toEqual(Array.from(a.selected.data));
  });
});
