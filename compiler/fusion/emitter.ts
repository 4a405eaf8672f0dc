import type { Node } from '../ir/node.ts';
import type { PrimParams } from '../ir/primitives.ts';
import { isBinary, isUnary } from '../ir/primitives.ts';
import type { Expr } from '../kernel/expr.ts';
import type { ExprBuilder } from '../kernel/exprBuilder.ts';
import {
  type Affine, addConst, affineKey, constIdx, isConst, linearIndex, rangeOf, unravelIndex, valueIdx,
} from '../kernel/indexExpr.ts';
import { CompileError } from './errors.ts';

/** How a kernel sees the rest of the program while its expressions are built. */
export interface EmitContext {
  /** A value the kernel computes itself (a row reduction, an inlined producer), if any. */
  local(n: Node, coords: readonly Affine[]): Expr | undefined;
  /** The buffer holding a materialised node, if it has one. */
  bufferOf(n: Node): number | undefined;
  /** Called for every buffer load of a materialised node (fusion uses it to check merges). */
  onLoad?(n: Node, coords: readonly Affine[]): void;
}

const P = <T>(n: Node) => n.params as T;

/**
 * Builds the expression for node `n` at coordinates `coords` (one affine index per axis of n):
 * elementwise ops recurse at the same coordinates, view ops (broadcast, reshape, transpose, slice,
 * pad, concat) transform the coordinates, gathers turn a loaded index into a coordinate, and
 * materialised nodes become loads. This is what fuses a chain of ops into one kernel body.
 */
export class Emitter {
  private readonly memo = new Map<string, Expr>();

  constructor(
    private readonly b: ExprBuilder,
    private readonly ctx: EmitContext,
  ) {}

  emit(n: Node, coords: readonly Affine[]): Expr {
    const key = `${n.id}@${coords.map(affineKey).join('|')}`;
    let e = this.memo.get(key);
    if (!e) {
      e = this.build(n, coords);
      this.memo.set(key, e);
    }
    return e;
  }

  private build(n: Node, coords: readonly Affine[]): Expr {
    const b = this.b;
    const local = this.ctx.local(n, coords);
    if (local) return local;
    const buffer = this.ctx.bufferOf(n);
    if (buffer !== undefined) {
      this.ctx.onLoad?.(n, coords);
      return b.load(buffer, linearIndex(coords, n.shape), n.dtype);
    }
    const x = n.inputs[0]!;
    if (isUnary(n.op)) return b.unary(n.op, this.emit(x, coords), n.dtype);
    if (isBinary(n.op)) return b.binary(n.op, this.emit(x, coords), this.emit(n.inputs[1]!, coords), n.dtype);
    switch (n.op) {
      case 'select':
        return b.select(this.emit(x, coords), this.emit(n.inputs[1]!, coords), this.emit(n.inputs[2]!, coords), n.dtype);
      case 'cast':
        return b.cast(this.emit(x, coords), n.dtype);
      case 'stopGradient':
        return this.emit(x, coords);
      case 'customVjp':
        return this.emit(x, coords);
      case 'constant':
        return b.constant(P<PrimParams['constant']>(n).value, n.dtype);
      case 'iota':
        return b.index(coords[P<PrimParams['iota']>(n).axis]!, n.dtype);
      case 'randomBits': {
        const { tag, offset } = P<PrimParams['randomBits']>(n);
        const keyBuf = this.ctx.bufferOf(x);
        if (keyBuf === undefined) throw new CompileError(`randomBits %${n.id}: its key must be materialised`);
        this.ctx.onLoad?.(x, [constIdx(0)]);
        return b.random(keyBuf, linearIndex(coords, n.shape), tag, offset);
      }
      case 'broadcast': {
        const { dims } = P<PrimParams['broadcast']>(n);
        return this.emit(x, dims.map((d) => coords[d]!));
      }
      case 'reshape':
        return this.emit(x, unravelIndex(linearIndex(coords, n.shape), x.shape));
      case 'transpose': {
        const { perm } = P<PrimParams['transpose']>(n);
        const inner = new Array<Affine>(perm.length);
        perm.forEach((p, i) => (inner[p] = coords[i]!));
        return this.emit(x, inner);
      }
      case 'slice': {
        const { starts } = P<PrimParams['slice']>(n);
        return this.emit(x, coords.map((c, i) => addConst(c, starts[i]!)));
      }
      case 'pad': {
        const { lo } = P<PrimParams['pad']>(n);
        const inner = coords.map((c, i) => addConst(c, -lo[i]!));
        let valid: Expr | undefined;
        inner.forEach((c, i) => {
          const [min, max] = rangeOf(c);
          if (min >= 0 && max < x.shape[i]!) return;
          const cond = b.inRange(c, 0, x.shape[i]!);
          valid = valid ? b.binary('and', valid, cond, 'bool') : cond;
        });
        const value = this.emit(x, inner.map((c, i) => clampIfConstOut(c, x.shape[i]!)));
        return valid ? b.select(valid, value, b.constant(0, n.dtype), n.dtype, true) : value;
      }
      case 'concat': {
        const { axis } = P<PrimParams['concat']>(n);
        const c = coords[axis]!;
        const [min, max] = rangeOf(c);
        // pieces in reverse so the select chain tests the first piece outermost
        let offset = 0;
        const pieces = n.inputs.map((input) => {
          const piece = { input, start: offset, end: offset + input.shape[axis]! };
          offset = piece.end;
          return piece;
        });
        const live = pieces.filter((p) => p.end > min && p.start <= max);
        const at = (p: (typeof pieces)[number]) =>
          this.emit(p.input, coords.map((cc, i) => (i === axis ? addConst(cc, -p.start) : cc)));
        let result = at(live[live.length - 1]!);
        for (let i = live.length - 2; i >= 0; i--) {
          result = b.select(b.inRange(c, min, live[i]!.end), at(live[i]!), result, n.dtype, true);
        }
        return result;
      }
      case 'gather': {
        const { axis, batchDims, site } = P<PrimParams['gather']>(n);
        const idx = n.inputs[1]!;
        const nI = idx.shape.length - batchDims;
        const B = coords.slice(0, batchDims);
        const Pc = coords.slice(batchDims, axis);
        const I = coords.slice(axis, axis + nI);
        const Q = coords.slice(axis + nI);
        const raw = b.cast(this.emit(idx, [...B, ...I]), 'i32');
        const checked = b.checkIndex(raw, x.shape[axis]!, site ?? `gather %${n.id}`);
        return this.emit(x, [...B, ...Pc, valueIdx(checked, x.shape[axis]!), ...Q]);
      }
      default:
        throw new CompileError(`fusion: ${n.op} %${n.id} must be materialised before it is read`, { op: n.op });
    }
  }
}

/** A constant coordinate outside [0, size) (only under a false pad condition) is clamped so loads stay in bounds. */
function clampIfConstOut(c: Affine, size: number): Affine {
  if (!isConst(c)) return c;
  return constIdx(Math.min(Math.max(c.c, 0), size - 1));
}
