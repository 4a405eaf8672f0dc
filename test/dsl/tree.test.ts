import { describe, expect, it } from 'vitest';
import { TreeError, flatten, treeMap, unflatten } from '../../dsl/tree.ts';

const isNum = (x: unknown) => typeof x === 'number';

describe('pytrees', () => {
  it('flatten / unflatten round trip with paths, keys in sorted order', () => {
    const tree = { z: 1, a: [2, { c: 3, b: 4 }], m: { x: 5 } };
    const { leaves, paths, def } = flatten<number>(tree, isNum);
    expect(leaves).toEqual([2, 4, 3, 5, 1]);
    expect(paths).toEqual(['a[0]', 'a[1].b', 'a[1].c', 'm.x', 'z']);
    expect(unflatten(def, leaves)).toEqual(tree);
  });
  it('treeMap zips trees of the same structure and rejects different ones', () => {
    expect(treeMap(isNum, ([a, b]) => (a as number) + (b as number), { p: 1, q: [2] }, { q: [20], p: 10 })).toEqual({ p: 11, q: [22] });
    expect(() => treeMap(isNum, ([a]) => a, { p: 1 }, { p: 1, q: 2 })).toThrow(TreeError);
    expect(() => flatten({ p: 'text' }, isNum)).toThrow(/unsupported value at "p"/);
  });
});
