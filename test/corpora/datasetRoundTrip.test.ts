import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createDatasetWriter, DatasetRangeError, DatasetWriteError, openDataset, type FieldSpec,
} from '../../corpora/dataset/index.ts';
import { makeTmpDir } from './tmpDir.ts';

const root = makeTmpDir();
let n = 0;
const freshDir = (): string => join(root, `ds-${n++}`);

const FIELDS: FieldSpec[] = [
  { name: 'inputIds', dtype: 'int32', perRow: 6 },
  { name: 'flags', dtype: 'uint8', perRow: 6 },
  { name: 'labels', dtype: 'int32', perRow: 6 },
  { name: 'score', dtype: 'float32', perRow: 1 },
  { name: 'blockIds', dtype: 'uint16', perRow: 1 },
];

const rowArb = fc.record({
  inputIds: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 6, maxLength: 6 }),
  flags: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }), // any byte (an attentionMask would be 0/1)
  labels: fc.array(fc.integer({ min: -100, max: 50 }), { minLength: 6, maxLength: 6 }),
  score: fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 1 }),
  blockIds: fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 1 }),
});
type Row = typeof rowArb extends fc.Arbitrary<infer R> ? R : never;

const block = (rows: Row[]) => ({
  rows: rows.length,
  fields: Object.fromEntries(FIELDS.map((f) => [f.name, rows.flatMap((r) => r[f.name as keyof Row])])),
});
const expectedField = (rows: Row[], f: FieldSpec): number[] => {
  const flat = rows.flatMap((r) => r[f.name as keyof Row]);
  return f.dtype === 'float32' ? flat.map(Math.fround) : flat;
};

describe('dataset write/read round trip', () => {
  it('rows come back identical, across shard boundaries, by range and by index', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(rowArb, { maxLength: 9 }), { minLength: 1, maxLength: 4 }),
        fc.array(rowArb, { maxLength: 5 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (appends, valid, rowsPerShard, picks) => {
          const dir = freshDir();
          const w = createDatasetWriter(dir, { seqLen: 6, fields: FIELDS, rowsPerShard, provenance: { seed: 1 } });
          appends.forEach((a) => w.append(block(a)));
          if (valid.length) w.append(block(valid), 'valid');
          const manifest = w.finish();
          const all = appends.flat();
          expect(manifest.splits.train!.rows).toBe(all.length);
          expect(manifest.splits.train!.shards.length).toBe(Math.ceil(all.length / rowsPerShard));
          const ds = openDataset(dir, { verify: 'sha256' });
          const train = ds.split('train');
          expect(train.rows).toBe(all.length);
          const got = train.readRange(0, all.length);
          for (const f of FIELDS) expect(Array.from(got.fields[f.name]!)).toEqual(expectedField(all, f));
          if (all.length) {
            const idx = picks.map((p) => p % all.length);
            const byIndex = train.readRows(idx);
            for (const f of FIELDS) expect(Array.from(byIndex.fields[f.name]!)).toEqual(expectedField(idx.map((i) => all[i]!), f));
          }
          if (valid.length) expect(Array.from(ds.split('valid').readRange(0, valid.length).fields.labels!)).toEqual(expectedField(valid, FIELDS[2]!));
          expect(ds.manifest.provenance).toEqual({ seed: 1 });
          ds.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('out-of-range rows and unknown splits are DatasetRangeErrors', () => {
    const dir = freshDir();
    const w = createDatasetWriter(dir, { seqLen: 1, fields: [{ name: 'x', dtype: 'int32', perRow: 1 }] });
    w.append({ rows: 3, fields: { x: [1, 2, 3] } });
    w.finish();
    const ds = openDataset(dir);
    expect(() => ds.split().readRows([3])).toThrow(DatasetRangeError);
    expect(() => ds.split().readRange(2, 2)).toThrow(/row 3 outside split "train" of 3 rows/);
    expect(() => ds.split('test')).toThrow(/no split "test" \(splits: train\)/);
  });

  it('writer misuse: wrong field length, missing field, existing dataset, append after finish', () => {
    const dir = freshDir();
    const w = createDatasetWriter(dir, { seqLen: 2, fields: [{ name: 'x', dtype: 'int32', perRow: 2 }] });
    expect(() => w.append({ rows: 2, fields: { x: [1, 2, 3] } })).toThrow(/field "x" has 3 values for 2 rows of 2/);
    expect(() => w.append({ rows: 1, fields: {} })).toThrow(/lack field "x"/);
    w.finish();
    expect(() => w.append({ rows: 1, fields: { x: [1, 2] } })).toThrow(DatasetWriteError);
    expect(() => createDatasetWriter(dir, { seqLen: 2, fields: [{ name: 'x', dtype: 'int32', perRow: 2 }] })).toThrow(/already holds a dataset/);
  });

  it('overwrite replaces a dataset; stale shards from the old one are removed', () => {
    const dir = freshDir();
    const spec = { seqLen: 1, fields: [{ name: 'x', dtype: 'int32' as const, perRow: 1 }], rowsPerShard: 1 };
    const a = createDatasetWriter(dir, spec);
    a.append({ rows: 5, fields: { x: [1, 2, 3, 4, 5] } });
    a.finish();
    const b = createDatasetWriter(dir, { ...spec, overwrite: true });
    b.append({ rows: 2, fields: { x: [7, 8] } });
    b.finish();
    const ds = openDataset(dir);
    expect(Array.from(ds.split().readRange(0, 2).fields.x!)).toEqual([7, 8]);
    expect(ds.manifest.splits.train!.shards).toHaveLength(2);
  });

  it('records the vocab file with its hash, and requires it to be there', () => {
    const dir = freshDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'vocab.txt'), '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n');
    const w = createDatasetWriter(dir, { seqLen: 1, fields: [{ name: 'x', dtype: 'int32', perRow: 1 }], vocabFile: 'vocab.txt' });
    expect(w.finish().vocab).toMatchObject({ file: 'vocab.txt', size: 6 });
    expect(openDataset(dir).vocabPath).toBe(join(dir, 'vocab.txt'));
    const w2 = createDatasetWriter(freshDir(), { seqLen: 1, fields: [{ name: 'x', dtype: 'int32', perRow: 1 }], vocabFile: 'vocab.txt' });
    expect(() => w2.finish()).toThrow(/vocab file vocab.txt is not in the dataset directory/);
  });
});
