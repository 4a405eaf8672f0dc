import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { TokenDroppingError, gatherKept, mergeKept, tokenRoute } from '../../../models/tokenDropping.ts';
import { initialImportance } from '../../../objectives/sctd/index.ts';

const V = 10;
const PINNED = [0, 1, 2, 9]; // cls, pad, sep, mask (ScTD's keep list)

/** Rows of token ids (specials included) and an importance table with ties among normal ids. */
const caseArb = fc
  .record({
    rows: fc.integer({ min: 1, max: 3 }),
    seqLen: fc.integer({ min: 2, max: 12 }),
    ratio: fc.double({ min: 0, max: 0.95, noNaN: true }),
    importance: fc.array(fc.constantFrom(1, 2, 3, 10), { minLength: V, maxLength: V }),
    seed: fc.integer({ min: 0, max: 1 << 20 }),
  })
  .map((c) => {
    const ids = Array.from({ length: c.rows * c.seqLen }, (_, i) => ((c.seed * 2654435761 + i * 40503) >>> 7) % V);
    return { ...c, ids };
  });

describe('the released token route, tokenRoute (paddedLengthDropCompat; spec 2f 3)', () => {
  it('each row drops exactly floor(T·ρ): the lowest (score, position), order kept; no special dropped when enough normal tokens', () => {
    fc.assert(
      fc.property(caseArb, ({ rows, seqLen, ratio, importance, ids }) => {
        const table = initialImportance(V, Float32Array.from(importance), { keepIds: PINNED, dropIds: [] });
        const k = Math.floor(seqLen * ratio);
        if (k >= seqLen) return;
        const route = p.evaluate(
          (imp: p.Tensor<['vocab']>, x: p.Tensor<['batch', 'seq']>) => tokenRoute(p.gather(imp, x, 'vocab'), k),
          table, new HostTensor(['batch', 'seq'], [rows, seqLen], 'i32', ids),
        );
        for (let r = 0; r < rows; r++) {
          const row = ids.slice(r * seqLen, (r + 1) * seqLen);
          const order = row.map((_, t) => t).sort((a, b) => table.data[row[a]!]! - table.data[row[b]!]! || a - b);
          const droppedWant = new Set(order.slice(0, k));
          const keptWant = row.map((_, t) => t).filter((t) => !droppedWant.has(t));
          const dropped = Array.from(route.dropped.data.slice(r * seqLen, (r + 1) * seqLen));
          expect(dropped.filter(Boolean).length).toBe(k);
          dropped.forEach((d, t) => expect(Boolean(d)).toBe(droppedWant.has(t)));
          expect(Array.from(route.kept.data.slice(r * (seqLen - k), (r + 1) * (seqLen - k)))).toEqual(keptWant);
          keptWant.forEach((t, slot) => expect(route.keptSlot.data[r * seqLen + t]).toBe(slot));
          const normal = row.filter((id) => !PINNED.includes(id)).length;
          if (normal >= k) for (const t of droppedWant) expect(PINNED).not.toContain(row[t]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gatherKept then mergeKept puts every kept row back in place; dropped rows take the other tensor', () => {
    const x = new HostTensor(['batch', 'seq', 'hidden'], [2, 5, 2], 'f32', Array.from({ length: 20 }, (_, i) => i));
    const scores = new HostTensor(['batch', 'seq'], [2, 5], 'f32', [5, 1, 4, 1, 9, 0, 0, 3, 2, 8]);
    const out = p.evaluate(
      (h: p.Tensor<['batch', 'seq', 'hidden']>, s: p.Tensor<['batch', 'seq']>) => {
        const route = tokenRoute(s, 2);
        return mergeKept(gatherKept(h, route).mul(-1), h.mul(100), route);
      },
      x, scores,
    );
    const dropped = [[1, 3], [0, 1]];
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 5; t++) {
        for (let d = 0; d < 2; d++) {
          const i = (b * 5 + t) * 2 + d;
          expect(out.data[i]).toBe(dropped[b]!.includes(t) ? 100 * i : -i);
        }
      }
    }
  });

  it('a drop count outside [0, T) is a TokenDroppingError naming the option', () => {
    const s = new HostTensor(['batch', 'seq'], [1, 4], 'f32', [1, 2, 3, 4]);
    expect(() => p.evaluate((x: p.Tensor<['batch', 'seq']>) => tokenRoute(x, 4).kept, s)).toThrow(TokenDroppingError);
    expect(() => p.evaluate((x: p.Tensor<['batch', 'seq']>) => tokenRoute(x, -1).kept, s)).toThrow(/dropCount/);
  });
});
