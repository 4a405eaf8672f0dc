import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HostTensor, TensorSpec } from '../../../dsl/host.ts';
import { flatten } from '../../../dsl/tree.ts';
import { TensorNameError, defFromPaths, mlmModelSpec, parsePath, pathsOfDef } from '../../../models/checkpoint/index.ts';
import { initEncoder, initMlmHead } from '../../../models/init.ts';
import { key } from '../../../prng/key.ts';
import { tinyConfig } from './fixtures.ts';

const leaf = new HostTensor([], [], 'f32', [0]);
const treeArb = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(leaf),
    fc.array(tie('tree'), { minLength: 1, maxLength: 3 }),
    fc.dictionary(fc.stringMatching(/^[a-zA-Z0-9_]{1,4}$/), tie('tree'), { minKeys: 1, maxKeys: 3 }),
  ),
})).tree;

describe('tree paths', () => {
  it('rebuild the structure of any tree from its leaf paths', () => {
    fc.assert(
      fc.property(treeArb.filter((t) => !(t instanceof HostTensor)), (tree) => {
        const { paths, def } = flatten(tree, (x) => x instanceof HostTensor);
        expect(pathsOfDef(def)).toEqual(paths);
        expect(defFromPaths(paths, 't')).toEqual(def);
        for (const p of paths) expect(parsePath(p, 't').length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('reject malformed paths and holes', () => {
    for (const bad of ['', '.a', 'a..b', 'a[', 'a[x]', 'a[01]', 'a]']) expect(() => parsePath(bad, 't')).toThrow(TensorNameError);
    expect(parsePath('encoder.layers[12].w', 't')).toEqual(['encoder', 'layers', 12, 'w']);
    expect(() => defFromPaths(['a[0]', 'a[2]'], 't')).toThrow(/indices/);
    expect(() => defFromPaths(['a', 'a.b'], 't')).toThrow(TensorNameError);
  });
});

describe('mlmModelSpec', () => {
  it('has the structure, axes and shapes of initialised parameters', () => {
    for (const overrides of [{}, { layerNorm: 'pre' as const }, { typeVocabSize: 0 }]) {
      const c = tinyConfig(overrides);
      const init = flatten<HostTensor>({ encoder: initEncoder(c, key(0)), mlmHead: initMlmHead(c, key(1)) }, (x) => x instanceof HostTensor);
      const spec = flatten<TensorSpec>(mlmModelSpec(c), (x) => x instanceof TensorSpec);
      expect(spec.paths).toEqual(init.paths);
      expect(spec.leaves.map((l) => [l.axes, l.shape, l.dtype])).toEqual(init.leaves.map((l) => [l.axes, l.shape, l.dtype]));
    }
  });
});
