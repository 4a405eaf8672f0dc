import fc from 'fast-check';
import type { TokenGrid } from '../../../corpora/masking/index.ts';

/** A toy vocabulary: specials 0..4 as pretext's trained vocabs order them, words 5..V-1. */
export const PAD = 0;
export const UNK = 1;
export const CLS = 2;
export const SEP = 3;
export const MASK = 4;
export const V = 40;
export const SPECIALS: ReadonlySet<number> = new Set([PAD, UNK, CLS, SEP, MASK]);
export const IDS = { maskId: MASK, padId: PAD, clsId: CLS, sepId: SEP, vocabSize: V, specialIds: SPECIALS };

/** One row: [CLS] words [SEP] then padding (length 0 = all padding), words sometimes [UNK]. */
const row = (T: number): fc.Arbitrary<number[]> =>
  fc.integer({ min: 0, max: T }).chain((len) =>
    fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 5, max: V - 1 }) }, { weight: 1, arbitrary: fc.constant(UNK) }), {
      minLength: Math.max(0, len - 2),
      maxLength: Math.max(0, len - 2),
    }).map((words) => {
      const real = len === 0 ? [] : len === 1 ? [CLS] : [CLS, ...words, SEP];
      return [...real, ...Array(T - real.length).fill(PAD)];
    }),
  );

export interface GridCase extends TokenGrid {
  readonly rows: number;
  readonly lengths: number[];
}

/** Random padded grids, with or without (distinct) block ids. */
export const gridArb: fc.Arbitrary<GridCase> = fc
  .record({ T: fc.integer({ min: 3, max: 24 }), rows: fc.integer({ min: 1, max: 5 }) })
  .chain(({ T, rows }) =>
    fc.record({
      data: fc.array(row(T), { minLength: rows, maxLength: rows }),
      blockIds: fc.option(fc.uniqueArray(fc.nat(1_000_000), { minLength: rows, maxLength: rows }), { nil: undefined }),
      T: fc.constant(T),
    }),
  )
  .map(({ data, blockIds, T }) => ({
    inputIds: Int32Array.from(data.flat()),
    seqLen: T,
    rows: data.length,
    lengths: data.map((r) => r.filter((x) => x !== PAD).length),
    ...(blockIds ? { blockIds: Int32Array.from(blockIds) } : {}),
  }));

export const seedArb = fc.nat(2 ** 31);

/** A big fixed grid: `rows` rows of [CLS] + (T-2) words + [SEP], words spread over the vocab. */
export function fullGrid(rows: number, T: number): TokenGrid {
  const ids = new Int32Array(rows * T);
  for (let r = 0; r < rows; r++) {
    ids[r * T] = CLS;
    for (let t = 1; t < T - 1; t++) ids[r * T + t] = 5 + ((r * 7 + t * 13) % (V - 5));
    ids[r * T + T - 1] = SEP;
  }
  return { inputIds: ids, seqLen: T };
}

/** The sub-grid of row r alone, keeping its block id (or its row index as block id). */
export function singleRow(grid: TokenGrid, r: number): TokenGrid {
  const T = grid.seqLen;
  return { inputIds: grid.inputIds.slice(r * T, (r + 1) * T), seqLen: T, blockIds: [grid.blockIds ? grid.blockIds[r]! : r] };
}

export const slice = <A extends Int32Array | Uint8Array>(a: A, r: number, T: number): number[] => Array.from(a.subarray(r * T, (r + 1) * T));

/** |observed - expected| <= z standard errors of a binomial proportion over n trials. */
export function expectProportion(successes: number, n: number, p: number, z = 5): void {
  const se = Math.sqrt((p * (1 - p)) / n);
  const observed = successes / n;
  if (Math.abs(observed - p) > z * se + 1e-12) {
    throw new Error(`proportion ${observed.toFixed(5)} over ${n} trials is more than ${z} SE (${se.toExponential(2)}) from ${p}`);
  }
}
