import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from '../../study/canonical.ts';
import { StudyError } from '../../study/errors.ts';
import { concat, expandDotted, grid, product, zip } from '../../study/runList.ts';

describe('run lists', () => {
  it('grid is the cartesian product, first key slowest; zip pairs; concat appends; product combines', () => {
    expect(grid({ a: [1, 2], b: ['x', 'y'] })).toEqual([{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }]);
    expect(zip({ a: [1, 2], b: ['x', 'y'] })).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    expect(concat([{ a: 1 }], [{ b: 2 }, { c: 3 }])).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
    expect(product(zip({ o: ['mlm', 'taco'] }), grid({ seed: [0, 1] }))).toHaveLength(4);
  });

  it('rejects an empty grid axis and zip lists of different lengths, naming the key', () => {
    expect(() => grid({ seed: [] })).toThrow(StudyError);
    expect(() => grid({ seed: [] })).toThrow(/"seed"/);
    expect(() => zip({ a: [1, 2], b: [1] })).toThrow(/"b" has 1 values, "a" has 2/);
  });

  it('dotted keys set nested fields and merge with nested objects', () => {
    expect(expandDotted({ 'train.lr': 1e-3, train: { steps: 5 }, 'model.hidden': 8, seed: 1 })).toEqual({ train: { lr: 1e-3, steps: 5 }, model: { hidden: 8 }, seed: 1 });
    expect(() => expandDotted({ 'train..lr': 1 })).toThrow(/empty part/);
  });
});

describe('canonical JSON and content hashes', () => {
  test.prop([fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.oneof(fc.integer(), fc.string(), fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.double({ noNaN: true }))))])(
    'do not depend on key order (and round-trip to the same value)',
    (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse().map(([k, v]) => [k, v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse()) : v]));
      expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      expect(contentHash(reversed)).toBe(contentHash(obj));
      expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
    },
  );

  it('differ for different values', () => {
    expect(contentHash({ train: { lr: 1e-3 } })).not.toBe(contentHash({ train: { lr: 2e-3 } }));
  });
});
