import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { key } from '../../prng/index.ts';
import { createDatasetWriter, epochOrder, openDataset, shuffledBatches, type ShuffledBatch } from '../../corpora/dataset/index.ts';
import { makeTmpDir } from './tmpDir.ts';

const root = makeTmpDir();
const datasets = new Map<string, ReturnType<typeof openDataset>>();
/** A dataset whose row i holds [i, 2i]; cached by (rows, rowsPerShard). */
function dataset(rows: number, rowsPerShard: number) {
  const id = `${rows}-${rowsPerShard}`;
  let ds = datasets.get(id);
  if (!ds) {
    const dir = join(root, id);
    const w = createDatasetWriter(dir, { seqLen: 2, fields: [{ name: 'x', dtype: 'int32', perRow: 2 }], rowsPerShard });
    w.append({ rows, fields: { x: Int32Array.from({ length: 2 * rows }, (_, i) => (i % 2 ? 2 * ((i - 1) / 2) : i / 2)) } });
    w.finish();
    datasets.set(id, (ds = openDataset(dir)));
  }
  return ds.split();
}
const take = <T>(it: Iterator<T>, count: number): T[] => {
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const r = it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
};
const summary = (b: ShuffledBatch) => ({ epoch: b.epoch, position: b.position, indices: Array.from(b.indices), x: Array.from(b.data.fields.x!) });

const caseArb = fc.record({ rows: fc.integer({ min: 1, max: 40 }), rowsPerShard: fc.integer({ min: 1, max: 16 }), batchSize: fc.integer({ min: 1, max: 12 }), seed: fc.nat(1000) });

describe('shuffled batch iterator', () => {
  it('every row exactly once per epoch; data matches indices; batches never straddle epochs', () => {
    fc.assert(
      fc.property(caseArb, ({ rows, rowsPerShard, batchSize, seed }) => {
        const split = dataset(rows, rowsPerShard);
        const batches = [...shuffledBatches(split, { key: key(seed), batchSize, epochs: 3 })];
        for (let e = 0; e < 3; e++) {
          const seen = batches.filter((b) => b.epoch === e).flatMap((b) => Array.from(b.indices));
          expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: rows }, (_, i) => i));
        }
        for (const b of batches) {
          expect(Array.from(b.data.fields.x!)).toEqual(Array.from(b.indices).flatMap((i) => [i, 2 * i]));
          expect(b.indices.length).toBeLessThanOrEqual(batchSize);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('deterministic in the key; epochs reshuffle; different keys differ', () => {
    const split = dataset(40, 7);
    const run = (s: number) => [...shuffledBatches(split, { key: key(s), batchSize: 8, epochs: 2 })].map(summary);
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    expect(Array.from(epochOrder(key(3), 0, 40))).not.toEqual(Array.from(epochOrder(key(3), 1, 40)));
  });

  it('resuming from any batch cursor gives exactly the uninterrupted continuation', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(30), fc.boolean(), ({ rows, rowsPerShard, batchSize, seed }, stopAfter, dropLast) => {
        const split = dataset(rows, rowsPerShard);
        const opts = { key: key(seed), batchSize, dropLast };
        const full = take(shuffledBatches(split, opts), stopAfter + 10).map(summary);
        const first = take(shuffledBatches(split, opts), stopAfter + 1);
        if (first.length <= stopAfter) return;
        const cursor = first[stopAfter]!.next;
        const resumed = take(shuffledBatches(split, { ...opts, start: cursor }), 9).map(summary);
        expect(resumed).toEqual(full.slice(stopAfter + 1, stopAfter + 10));
      }),
      { numRuns: 60 },
    );
  });

  it('dropLast skips the short batch at the end of each epoch', () => {
    const split = dataset(10, 4);
    const batches = [...shuffledBatches(split, { key: key(1), batchSize: 4, epochs: 2, dropLast: true })];
    expect(batches.map((b) => b.indices.length)).toEqual([4, 4, 4, 4]);
    expect(batches.map((b) => b.epoch)).toEqual([0, 0, 1, 1]);
  });
});

describe('shuffled batch iterator edge cases', () => {
  it('dropLast with fewer rows than a batch yields nothing (and terminates)', () => {
    expect([...shuffledBatches(dataset(3, 2), { key: key(1), batchSize: 4, dropLast: true })]).toEqual([]);
  });
});
