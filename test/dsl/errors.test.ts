import { describe, expect, it } from 'vitest';
import { IndexError, AutodiffError } from '../../compiler/ir/errors.ts';
import * as p from '../../dsl/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import { normalHost } from '../helpers/arbitraries.ts';

const x = normalHost(1, ['batch', 'hidden'], [2, 3]);
const w = normalHost(2, ['hidden', 'ffn'], [4, 5]);

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('bad input gives clear typed errors', () => {
  it('a wrong axis name is a TypeScript error, and a trace-time AxisError through the escape hatch', () => {
    const e = thrown(() =>
      p.evaluate((t: p.Tensor<readonly ['batch', 'hidden']>) => {
        // @ts-expect-error 'hiden' is not an axis of t: the type checker rejects it
        const bad = t.sum('hiden');
        return bad;
      }, x),
    );
    expect(e).toBeInstanceOf(p.AxisError);
    expect(e.message).toContain('hiden');
    expect(e.message).toContain('batch=2, hidden=3');
    // the untyped escape hatch accepts any name at compile time, the trace still checks it
    expect(() => p.evaluate((t: p.Tensor<readonly ['batch', 'hidden']>) => t.untyped().sum('nope'), x)).toThrow(/no axis "nope"/);
    // a tensor where a reduction's axis belongs (max(t) meaning the elementwise maximum)
    const notAnAxis = thrown(() => p.evaluate((t: p.Tensor<readonly ['batch', 'hidden']>) => (t as unknown as { max(a: unknown): p.Tensor<p.Axes> }).max(t), x));
    expect(notAnAxis).toBeInstanceOf(p.AxisError);
    expect(notAnAxis.message).toMatch(/max: axis must be an axis name, got a tensor \(elementwise: use maximum\/minimum\)/);
  });

  it('a size mismatch names the op, the axis, both sizes and the caller', () => {
    const e = thrown(() => p.evaluate((a: p.Tensor<readonly ['batch', 'hidden']>, b: p.Tensor<readonly ['hidden', 'ffn']>) => p.dot(a, b, 'hidden'), x, w));
    expect(e).toBeInstanceOf(p.SizeMismatchError);
    expect(e.message).toMatch(/^dot: axis "hidden" has size 3 .* but 4/);
    expect(e.message).toContain('errors.test.ts');
    const e2 = thrown(() => p.evaluate((a: p.Tensor<readonly ['batch', 'hidden']>) => a.add(normalHostTensor()), x));
    expect(e2).toBeInstanceOf(p.SizeMismatchError);
    expect(e2.message).toContain('add');
  });

  it('a dtype mismatch is a DTypeMismatchError naming both dtypes', () => {
    const ids = new HostTensor(['batch', 'hidden'], [2, 3], 'i32', [1, 2, 3, 4, 5, 6]);
    const e = thrown(() => p.evaluate((a: p.Tensor<readonly ['batch', 'hidden']>, b: p.Tensor<readonly ['batch', 'hidden']>) => a.add(b), x, ids));
    expect(e).toBeInstanceOf(p.DTypeMismatchError);
    expect(e.message).toContain('f32');
    expect(e.message).toContain('i32');
    expect(() => p.evaluate((b: p.Tensor<readonly ['batch', 'hidden']>) => b.exp(), ids)).toThrow(p.DTypeMismatchError);
  });

  it('a gather index out of range is an IndexError naming the index, the axis size and the call site', () => {
    const table = normalHost(3, ['vocab', 'hidden'], [4, 2]);
    const ids = new HostTensor(['t'], [3], 'i32', [0, 7, 1]);
    const e = thrown(() => p.evaluate((tb: p.Tensor<readonly ['vocab', 'hidden']>, i: p.Tensor<readonly ['t']>) => p.gather(tb, i, 'vocab'), table, ids));
    expect(e).toBeInstanceOf(IndexError);
    expect(e.message).toContain('index 7 out of range [0, 4)');
    expect(e.message).toContain('errors.test.ts');
  });

  it('contracting an axis one operand lacks, duplicate names, bad splits', () => {
    expect(() => p.evaluate((a: p.Tensor<readonly ['batch', 'hidden']>) => a.untyped().dot(a.untyped(), 'ffn'), x)).toThrow(p.AxisError);
    expect(() => p.evaluate((a: p.Tensor<readonly ['batch', 'hidden']>) => p.rename(a, { batch: 'hidden' }), x)).toThrow(/duplicate/);
    expect(() => p.evaluate((a: p.Tensor<readonly ['batch', 'hidden']>) => p.split(a, 'hidden', ['h1', 'h2'], [2, 2]), x)).toThrow(p.SizeMismatchError);
  });

  it('grad of a non-scalar, or with respect to an integer tensor, is an AutodiffError', () => {
    expect(() => p.evaluate((a: p.Tensor<readonly ['batch', 'hidden']>) => p.grad((u: p.Tensor<readonly ['batch', 'hidden']>) => u.exp() as never)(a), x)).toThrow(AutodiffError);
    const ids = new HostTensor(['t'], [3], 'i32', [0, 1, 2]);
    expect(() => p.evaluate((i: p.Tensor<readonly ['t']>) => p.grad((u: p.Tensor<readonly ['t']>) => p.sumAll(p.cast(u, 'f32')))(i), ids)).toThrow(/i32, not f32/);
  });

  it('input values of the wrong shape are rejected', () => {
    expect(() => new HostTensor(['a'], [3], 'f32', [1, 2])).toThrow(/2 values for shape \[3\]/);
  });
});

function normalHostTensor() {
  return p.constantOf(new Float32Array(4), ['hidden'] as const, [4]);
}
