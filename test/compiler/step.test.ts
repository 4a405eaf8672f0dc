import { describe, expect, it } from 'vitest';
import { compileStep } from '../../compiler/step.ts';
import * as p from '../../dsl/index.ts';
import { normalHost } from '../helpers/arbitraries.ts';
import { expectClose } from '../helpers/close.ts';

type T = p.Tensor<p.Axes>;

describe('compileStep: resident state, updated in place when legal', () => {
  it('an elementwise update is donated (no copy) and matches the interpreter over several steps', () => {
    const state = { w: normalHost(1, ['a', 'b'], [4, 5]), m: normalHost(2, ['a', 'b'], [4, 5]) };
    const fn = (s: { w: T; m: T }, inp: { x: T }) => {
      const g = p.grad((w: T) => p.sumAll(p.dot(inp.x, w, 'b').tanh()))(s.w);
      const m = s.m.mul(0.9).add(g.mul(0.1)) as T;
      return { state: { w: s.w.sub(m.mul(0.5)) as T, m }, outputs: { norm: p.sumAll(m.square()) } };
    };
    const step = compileStep(fn as never, state as never, { x: normalHost(3, ['n', 'b'], [3, 5]) } as never);
    expect(step.stats.donated).toBe(2);
    expect(step.stats.copied).toBe(0);
    let ref = state;
    for (let i = 0; i < 3; i++) {
      const x = normalHost(10 + i, ['n', 'b'], [3, 5]);
      const got = step.run({ x } as never) as { norm: p.HostTensor };
      const want = p.evaluate(fn, ref, { x });
      expectClose(got.norm, want.outputs.norm, `norm ${i}`);
      ref = want.state as typeof state;
    }
    const final = step.readState() as typeof state;
    expectClose(final.w, ref.w, 'w');
    expectClose(final.m, ref.m, 'm');
  });

  it('an update that reads the old state at other positions is copied, not donated, and stays correct', () => {
    const state = { w: normalHost(4, ['a', 'b'], [3, 3]) };
    // new w = transpose of old w: writing in place would read already overwritten elements
    const fn = (s: { w: T }, _inp: { dummy: T }) => ({ state: { w: p.rename(p.transpose(s.w, ['b', 'a']), { b: 'a', a: 'b' }).add(1) as T }, outputs: { s: p.sumAll(s.w) } });
    const step = compileStep(fn as never, state as never, { dummy: normalHost(5, ['z'], [1]) } as never);
    expect(step.stats.donated).toBe(0);
    expect(step.stats.copied).toBe(1);
    step.run({ dummy: normalHost(5, ['z'], [1]) } as never);
    step.run({ dummy: normalHost(5, ['z'], [1]) } as never);
    const w = state.w.data;
    const got = (step.readState() as typeof state).w.data;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(got[i * 3 + j]).toBeCloseTo(w[i * 3 + j]! + 2, 5);
  });

  it('rejects a new state with a different structure or shape', () => {
    const state = { w: normalHost(1, ['a'], [3]) };
    expect(() => compileStep(((s: { w: T }) => ({ state: { v: s.w }, outputs: {} })) as never, state as never, {} as never)).toThrow(/same structure/);
    expect(() => compileStep(((s: { w: T }) => ({ state: { w: p.sum(s.w, 'a') }, outputs: {} })) as never, state as never, {} as never)).toThrow(/new state "w"/);
  });
});
