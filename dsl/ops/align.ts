import type { DType } from '../../compiler/ir/dtype.ts';
import type { Node } from '../../compiler/ir/node.ts';
import * as ir from '../../compiler/ir/ops.ts';
import type { Axes } from '../axes.ts';
import { AxisError, DTypeMismatchError, SizeMismatchError, describeAxes } from '../errors.ts';
import { Tensor } from '../tensor.ts';

/** A number operand becomes a constant of the other operand's dtype. */
export type Operand = Tensor<Axes> | number | boolean;

/**
 * The positional node of `t` laid out over `axes` (which must contain all of t's axes): t's axes
 * are transposed into that order and broadcast over the others.
 */
export function broadcastNode(t: Tensor<Axes>, axes: readonly string[], shape: readonly number[]): Node {
  const pos = t.axes.map((a) => axes.indexOf(a));
  if (pos.some((p) => p < 0)) {
    throw new AxisError('broadcast', `cannot lay ${describeAxes(t.axes, t.shape)} over [${axes.join(', ')}]`, { axes: t.axes });
  }
  const order = pos.map((_, i) => i).sort((i, j) => pos[i]! - pos[j]!);
  const transposed = ir.transpose(t.node, order);
  return ir.broadcast(transposed, shape, order.map((i) => pos[i]!));
}

/**
 * Aligns operands by axis name: result axes are the first operand's axes followed by the others'
 * new ones; shared axes must agree in size. Returns the positional nodes over the result layout.
 */
export function alignOperands(op: string, operands: readonly Operand[], dtypeOf?: (i: number) => DType | undefined) {
  const tensors = operands.filter((o): o is Tensor<Axes> => o instanceof Tensor);
  if (tensors.length === 0) throw new DTypeMismatchError(op, 'needs at least one tensor operand');
  const axes: string[] = [];
  const shape: number[] = [];
  for (const t of tensors) {
    t.axes.forEach((a, i) => {
      const k = axes.indexOf(a);
      if (k < 0) {
        axes.push(a);
        shape.push(t.shape[i]!);
      } else if (shape[k] !== t.shape[i]) {
        throw new SizeMismatchError(
          op,
          `axis "${a}" has size ${shape[k]} in one operand but ${t.shape[i]} in ${describeAxes(t.axes, t.shape)}`,
          { axis: a, sizes: [shape[k], t.shape[i]], axes: tensors.map((x) => x.axes) },
        );
      }
    });
  }
  const nodes = operands.map((o, i) => {
    if (o instanceof Tensor) return broadcastNode(o, axes, shape);
    const dtype = dtypeOf?.(i) ?? tensors[0]!.dtype;
    return ir.constant(typeof o === 'boolean' ? Number(o) : o, shape, dtype);
  });
  return { axes, shape, nodes };
}
