import type { DType } from '../ir/dtype.ts';
import type { BinaryOp, UnaryOp } from '../ir/primitives.ts';
import { binaryScalar, castScalar, unaryScalar, wrap } from '../ir/scalarOps.ts';
import type { Expr } from './expr.ts';
import { type Affine, affineKey } from './indexExpr.ts';

/**
 * Builds hash-consed kernel expressions: structurally equal expressions are one object, so codegen
 * can find shared subexpressions by identity. Folds constants on the way.
 */
export class ExprBuilder {
  private readonly memo = new Map<string, Expr>();
  private readonly ids = new Map<Expr, number>();

  id(e: Expr): number {
    let id = this.ids.get(e);
    if (id === undefined) this.ids.set(e, (id = this.ids.size + 1));
    return id;
  }

  private make(e: Expr, key: string): Expr {
    const found = this.memo.get(key);
    if (found) return found;
    this.memo.set(key, e);
    this.id(e);
    return e;
  }

  constant(value: number, dtype: DType): Expr {
    const v = wrap(dtype, value);
    return this.make({ k: 'const', value: v, dtype }, `c:${dtype}:${Object.is(v, -0) ? '-0' : v}`);
  }
  load(buffer: number, index: Affine, dtype: DType): Expr {
    return this.make({ k: 'load', buffer, index, dtype }, `ld:${buffer}:${affineKey(index)}`);
  }
  index(index: Affine, dtype: DType): Expr {
    return this.make({ k: 'index', index, dtype }, `ix:${dtype}:${affineKey(index)}`);
  }
  unary(op: UnaryOp, a: Expr, dtype: DType): Expr {
    if (a.k === 'const') return this.constant(unaryScalar(op, a.dtype)(a.value), dtype);
    return this.make({ k: 'unary', op, a, dtype }, `u:${op}:${this.id(a)}`);
  }
  binary(op: BinaryOp, a: Expr, b: Expr, dtype: DType): Expr {
    if (a.k === 'const' && b.k === 'const') return this.constant(binaryScalar(op, a.dtype)(a.value, b.value), dtype);
    return this.make({ k: 'binary', op, a, b, dtype, operandDType: a.dtype }, `b:${op}:${this.id(a)}:${this.id(b)}:${dtype}`);
  }
  select(cond: Expr, a: Expr, b: Expr, dtype: DType, lazy = false): Expr {
    if (cond.k === 'const') return cond.value ? a : b;
    if (a === b) return a;
    return this.make({ k: 'select', cond, a, b, dtype, lazy }, `s:${lazy ? 1 : 0}:${this.id(cond)}:${this.id(a)}:${this.id(b)}`);
  }
  cast(a: Expr, dtype: DType): Expr {
    if (a.dtype === dtype) return a;
    if (a.k === 'const') return this.constant(castScalar(dtype)(a.value), dtype);
    return this.make({ k: 'cast', a, from: a.dtype, dtype }, `cast:${dtype}:${this.id(a)}`);
  }
  inRange(index: Affine, lo: number, hi: number): Expr {
    return this.make({ k: 'inRange', index, lo, hi, dtype: 'bool' }, `ir:${lo}:${hi}:${affineKey(index)}`);
  }
  random(keyBuffer: number, counter: Affine, tag: number, offset: number): Expr {
    return this.make({ k: 'random', keyBuffer, counter, tag, offset, dtype: 'u32' }, `r:${keyBuffer}:${tag}:${offset}:${affineKey(counter)}`);
  }
  checkIndex(value: Expr, extent: number, site: string): Expr {
    return this.make({ k: 'checkIndex', value, extent, site, dtype: 'i32' }, `ci:${extent}:${this.id(value)}:${site}`);
  }
  rowValue(stage: number, dtype: DType): Expr {
    return this.make({ k: 'rowValue', stage, dtype }, `rv:${stage}`);
  }
}
