import { describe, expect, it } from 'vitest';
import { ShapeError, DTypeError } from '../../compiler/ir/errors.ts';
import * as ir from '../../compiler/ir/ops.ts';
import { topoOrder } from '../../compiler/interpreter/interpret.ts';

describe('graph IR', () => {
  const x = ir.input('x', [2, 3], 'f32');
  const y = ir.input('y', [2, 3], 'f32');

  it('hash-conses structurally equal nodes (common subexpressions are shared)', () => {
    expect(ir.add(ir.exp(x), y)).toBe(ir.add(ir.exp(x), y));
    expect(ir.add(x, y)).not.toBe(ir.add(y, x));
    expect(ir.reduceSum(x, [1, 0])).toBe(ir.reduceSum(x, [0, 1]));
  });

  it('simplifies identities and folds constants', () => {
    expect(ir.add(x, ir.zerosLike(x))).toBe(x);
    expect(ir.mul(ir.full(x, 1), x)).toBe(x);
    expect(ir.mul(x, ir.zerosLike(x)).op).toBe('constant');
    expect(ir.neg(ir.neg(x))).toBe(x);
    expect(ir.transpose(ir.transpose(x, [1, 0]), [1, 0])).toBe(x);
    expect(ir.reshape(ir.reshape(x, [6]), [3, 2]).inputs[0]).toBe(x);
    const c = ir.add(ir.constant(2, [2]), ir.constant(3, [2]));
    expect(c.op).toBe('constant');
    expect((c.params as { value: number }).value).toBe(5);
    expect(ir.binary('add', ir.constant(0xffffffff, [], 'u32'), ir.constant(2, [], 'u32')).params).toMatchObject({ value: 1 });
  });

  it('dead code is not part of a graph: only ancestors of the outputs are evaluated', () => {
    const used = ir.exp(x);
    ir.log(y); // dead
    expect(topoOrder([used]).map((n) => n.op)).toEqual(['input', 'exp']);
  });

  it('shape and dtype rules reject bad operands with typed errors', () => {
    expect(() => ir.add(x, ir.input('z', [3, 2], 'f32'))).toThrow(ShapeError);
    expect(() => ir.add(x, ir.input('i', [2, 3], 'i32'))).toThrow(DTypeError);
    expect(() => ir.reshape(x, [5])).toThrow(/cannot reshape \[2,3\]/);
    expect(() => ir.dot(x, y, [[1], [0]])).toThrow(/contracted axes differ in size/);
    expect(() => ir.transpose(x, [0, 0])).toThrow(/repeated/);
    expect(() => ir.gather(x, ir.input('f', [4], 'f32'), 0)).toThrow(/indices must be i32 or u32/);
    expect(() => ir.exp(ir.input('i', [2], 'i32'))).toThrow(/needs a float operand/);
  });
});
