import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { TokenDroppingError, rowLengthRoute } from '../../../models/tokenDropping.ts';
import { initialImportance, resolveTokenDropping, sctdRoute } from '../../../objectives/sctd/index.ts';
import { routingConfig } from './tinyRouting.ts';

const V = 12;
const VOCAB = { size: V, pad: 1, unk: 3, cls: 0, sep: 2, mask: 11 };
const config = routingConfig({ vocabSize: V, maxPositions: 20 });
const PRESET_PINS = { sctd: { keepIds: [0, 1, 2, 11], dropIds: [] }, vanilla: { keepIds: [3, 0, 2, 11], dropIds: [1] } } as const;

/**
 * Rows "[CLS] tokens.. [SEP]" of real length n padded to T, many shorter than the padded drop
 * count floor(T·ρ); middle tokens include [MASK], [UNK] and stray [SEP]s; importance with ties.
 */
const caseArb = fc
  .record({
    T: fc.integer({ min: 2, max: 20 }),
    rows: fc.integer({ min: 1, max: 4 }),
    ratio: fc.integer({ min: 0, max: 95 }).map((percent) => percent / 100),
    preset: fc.constantFrom('sctd' as const, 'vanilla' as const),
    importance: fc.array(fc.constantFrom(1, 2, 3, 10), { minLength: V, maxLength: V }),
  })
  .chain((c) => {
    const k = Math.floor(c.T * c.ratio);
    const length = fc.oneof({ arbitrary: fc.integer({ min: 0, max: c.T }), weight: 1 }, { arbitrary: fc.integer({ min: 0, max: Math.max(0, k - 1) }), weight: 3 });
    const middle = fc.constantFrom(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11);
    const row = length.chain((n) => fc.array(middle, { minLength: n, maxLength: n }).map((ids) => ids.map((id, t) => (t === 0 ? 0 : t === n - 1 ? 2 : id))));
    return fc.record({ c: fc.constant(c), rowIds: fc.array(row, { minLength: c.rows, maxLength: c.rows }) });
  })
  .map(({ c, rowIds }) => ({
    ...c,
    rowIds,
    ids: rowIds.flatMap((r) => [...r, ...new Array<number>(c.T - r.length).fill(VOCAB.pad)]),
    mask: rowIds.flatMap((r) => Array.from({ length: c.T }, (_, t) => (t < r.length ? 1 : 0))),
  }));

type Case = typeof caseArb extends fc.Arbitrary<infer C> ? C : never;

function route(c: Case, compat: boolean) {
  const pins = PRESET_PINS[c.preset];
  const table = initialImportance(V, Float32Array.from(c.importance), pins);
  const r = resolveTokenDropping({ encoder: config, vocab: VOCAB, preset: c.preset, dropRatio: c.ratio, paddedLengthDropCompat: compat });
  const out = p.evaluate(
    (imp: p.Tensor<['vocab']>, inputIds: p.Tensor<['batch', 'seq']>, attentionMask: p.Tensor<['batch', 'seq']>) => sctdRoute(imp, { inputIds, attentionMask }, VOCAB, r),
    table, new HostTensor(['batch', 'seq'], [c.rows, c.T], 'i32', c.ids), new HostTensor(['batch', 'seq'], [c.rows, c.T], 'bool', c.mask),
  );
  return { table: table.data, dropped: out.dropped.data, kept: out.kept.data, keptSlot: out.keptSlot.data };
}

/** The (score, position) order of `positions` ascending. */
const byScore = (positions: number[], score: (t: number) => number) => [...positions].sort((a, b) => score(a) - score(b) || a - b);

describe('ScTD route from each row’s real length (spec 2c; issue 9)', () => {
  it('drops floor(n·ρ) real tokens per row, lowest (score, position) first, never [CLS] or [SEP]; pads only fill the rest of the floor(T·ρ) drops', () => {
    let short = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const { T, ratio, rowIds } = c;
        const k = Math.floor(T * ratio);
        const K = T - k;
        const { table, dropped, kept, keptSlot } = route(c, false);
        const keepIds: readonly number[] = PRESET_PINS[c.preset].keepIds;
        rowIds.forEach((row, b) => {
          const n = row.length;
          if (n < k) short++;
          const isDropped = (t: number) => dropped[b * T + t] === 1;
          const score = (t: number) => table[row[t]!]!;
          const positions = Array.from({ length: n }, (_, t) => t);
          const structural = positions.filter((t) => row[t] === VOCAB.cls || row[t] === VOCAB.sep);
          const pinned = positions.filter((t) => !structural.includes(t) && keepIds.includes(row[t]!));
          const droppable = positions.filter((t) => !structural.includes(t) && !pinned.includes(t));
          const realDrops = Math.min(Math.floor(n * ratio), droppable.length);
          // the static shape: k dropped, T - k kept in order, slots consistent
          expect(Array.from({ length: T }, (_, t) => t).filter(isDropped).length).toBe(k);
          const keptRow = Array.from(kept.slice(b * K, (b + 1) * K));
          expect(keptRow).toEqual(Array.from({ length: T }, (_, t) => t).filter((t) => !isDropped(t)));
          keptRow.forEach((t, slot) => expect(keptSlot[b * T + t]).toBe(slot));
          // the lowest (score, position) droppable tokens, floor(n·ρ) of them while the row has that many
          const order = byScore(droppable, score);
          order.forEach((t, i) => expect(isDropped(t), `row ${b} position ${t}`).toBe(i < realDrops));
          // kept count: n - floor(n·ρ) real tokens, more only where pinned ones outnumber the droppable
          const keptReal = positions.filter((t) => !isDropped(t)).length;
          expect(keptReal).toBe(Math.min(n - realDrops, K));
          // specials stay; pinned ids ([MASK], [UNK]) leave only when they outnumber the kept slots
          if (structural.length <= K) for (const t of structural) expect(isDropped(t), `row ${b}: special at ${t}`).toBe(false);
          if (n > 0) expect(isDropped(0)).toBe(false);
          const padKept = Array.from({ length: T - n }, (_, i) => n + i).some((t) => !isDropped(t));
          if (padKept) for (const t of [...structural, ...pinned]) expect(isDropped(t), `row ${b}: a pad kept in place of ${t}`).toBe(false);
          if (structural.length + pinned.length <= K) for (const t of pinned) expect(isDropped(t)).toBe(false);
        });
      }),
      { numRuns: 200, seed: 9 },
    );
    expect(short).toBeGreaterThan(100);
  });

  it('paddedLengthDropCompat reproduces the released rule: floor(T·ρ) lowest (score, position) of the padded row, [CLS] first among pinned ties', () => {
    let clsDropped = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const { T, ratio, ids } = c;
        const k = Math.floor(T * ratio);
        const { table, dropped } = route(c, true);
        for (let b = 0; b < c.rows; b++) {
          const row = ids.slice(b * T, (b + 1) * T);
          const want = new Set(byScore(row.map((_, t) => t), (t) => table[row[t]!]!).slice(0, k));
          for (let t = 0; t < T; t++) expect(dropped[b * T + t] === 1, `row ${b} position ${t}`).toBe(want.has(t));
          if (c.mask[b * T] && want.has(0)) clsDropped++;
        }
      }),
      { numRuns: 100, seed: 9 },
    );
    expect(clsDropped).toBeGreaterThan(10); // the quirk the default rule removes
  });

  it('a drop ratio outside [0, 1) is a TokenDroppingError naming it', () => {
    const s = new HostTensor(['batch', 'seq'], [1, 4], 'f32', [1, 2, 3, 4]);
    const real = new HostTensor(['batch', 'seq'], [1, 4], 'bool', [1, 1, 1, 0]);
    const protection = new HostTensor(['batch', 'seq'], [1, 4], 'i32', [2, 0, 2, 0]);
    const run = (ratio: number) => () => p.evaluate((x: p.Tensor<['batch', 'seq']>, m: p.Tensor<['batch', 'seq']>, q: p.Tensor<['batch', 'seq']>) => rowLengthRoute(x, { real: m, protection: q }, ratio).kept, s, real, protection);
    expect(run(1)).toThrow(TokenDroppingError);
    expect(run(-0.1)).toThrow(/dropRatio must be in \[0, 1\), got -0.1/);
  });
});
