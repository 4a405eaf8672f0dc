import { ShapeError } from '../ir/errors.ts';
import type { Node } from '../ir/node.ts';
import type { Prim } from '../ir/primitives.ts';
import { type HostArray, allocInterp } from './hostArray.ts';
import { interpreterKernels } from './kernels.ts';

/** Nodes needed to compute `outputs`, in topological (id) order. */
export function topoOrder(outputs: readonly Node[]): Node[] {
  const seen = new Set<Node>();
  const stack = [...outputs];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const i of n.inputs) stack.push(i);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

/** Copies a bound value into interpreter storage (f32 as float64), checking shape and dtype. */
function bind(node: Node, value: HostArray): HostArray {
  if (value.dtype !== node.dtype || value.shape.length !== node.shape.length || value.shape.some((d, i) => d !== node.shape[i])) {
    throw new ShapeError(
      `value for ${node.op === 'input' ? `input "${(node.params as { name: string }).name}"` : `node %${node.id}`} is ${value.dtype}[${value.shape}] but ${node.dtype}[${node.shape}] is expected`,
      { node: node.id },
    );
  }
  const out = allocInterp(node.dtype, node.shape);
  out.data.set(value.data);
  return out;
}

/**
 * The reference interpreter: evaluates `outputs` directly, every primitive by its obviously correct
 * definition, f32 in float64. Slow on purpose-free grounds; the oracle every backend is tested against.
 * Values are dropped after their last use.
 */
export function interpret(outputs: readonly Node[], bindings: ReadonlyMap<Node, HostArray>): HostArray[] {
  const order = topoOrder(outputs);
  const lastUse = new Map<Node, number>();
  order.forEach((n, k) => n.inputs.forEach((i) => lastUse.set(i, k)));
  const keep = new Set(outputs);
  const values = new Map<Node, HostArray>();
  order.forEach((n, k) => {
    const bound = bindings.get(n);
    if (bound) values.set(n, bind(n, bound));
    else {
      const kernel = interpreterKernels[n.op] as (node: Node<Prim>, args: readonly HostArray[]) => HostArray;
      values.set(n, kernel(n, n.inputs.map((i) => values.get(i)!)));
    }
    for (const i of n.inputs) if (lastUse.get(i) === k && !keep.has(i)) values.delete(i);
  });
  return outputs.map((o) => values.get(o)!);
}
