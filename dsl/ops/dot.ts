import * as ir from '../../compiler/ir/ops.ts';
import type { Axes, DotAxes } from '../axes.ts';
import { AxisError, DTypeMismatchError, SizeMismatchError, describeAxes } from '../errors.ts';
import { Tensor } from '../tensor.ts';

/**
 * Contraction by name: sums a * b over the named axes (present in both). Other axes present in
 * both are batch axes; the rest are outer. Result axes: batch, then a's own, then b's own.
 *   dot(x['b','t','hidden'], w['hidden','ffn'], 'hidden') -> ['b','t','ffn']
 */
export function dot<A extends Axes, B extends Axes, C extends A[number] & B[number]>(
  a: Tensor<A>,
  b: Tensor<B>,
  axis: C | readonly C[],
): Tensor<DotAxes<A, B, C>> {
  const contracted: string[] = typeof axis === 'string' ? [axis] : [...axis];
  if (a.dtype !== 'f32' || b.dtype !== 'f32') {
    throw new DTypeMismatchError('dot', `needs f32 operands, got ${a.dtype} and ${b.dtype}`);
  }
  for (const c of contracted) {
    if (!a.axes.includes(c) || !b.axes.includes(c)) {
      throw new AxisError('dot', `contracted axis "${c}" must be in both operands: ${describeAxes(a.axes, a.shape)} and ${describeAxes(b.axes, b.shape)}`, {
        axis: c,
      });
    }
  }
  const shared = a.axes.filter((x) => b.axes.includes(x));
  for (const s of shared) {
    const sa = a.shape[a.axes.indexOf(s)]!;
    const sb = b.shape[b.axes.indexOf(s)]!;
    if (sa !== sb) {
      throw new SizeMismatchError('dot', `axis "${s}" has size ${sa} in ${describeAxes(a.axes, a.shape)} but ${sb} in ${describeAxes(b.axes, b.shape)}`, {
        axis: s, sizes: [sa, sb],
      });
    }
  }
  const batch = shared.filter((x) => !contracted.includes(x));
  const node = ir.dot(
    a.node,
    b.node,
    [contracted.map((c) => a.axes.indexOf(c)), contracted.map((c) => b.axes.indexOf(c))],
    [batch.map((c) => a.axes.indexOf(c)), batch.map((c) => b.axes.indexOf(c))],
  );
  // dot_general orders batch axes as listed, then free axes in operand order.
  const axes = [...batch, ...a.axes.filter((x) => !shared.includes(x)), ...b.axes.filter((x) => !shared.includes(x))];
  return new Tensor(node, axes as unknown as DotAxes<A, B, C>);
}
