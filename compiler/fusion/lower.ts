import { makeNode } from '../ir/build.ts';
import type { Node } from '../ir/node.ts';
import type { Prim, PrimParams } from '../ir/primitives.ts';
import { topoOrder } from '../interpreter/interpret.ts';

/**
 * Prepares a differentiated graph for fusion: stopGradient and customVjp only matter to autodiff,
 * so they become their value input. Rebuilt nodes go through makeNode again (simplification and
 * hash-consing can find more sharing once those wrappers are gone).
 */
export function lowerForExecution(outputs: readonly Node[]): Node[] {
  const map = new Map<Node, Node>();
  for (const n of topoOrder(outputs)) {
    if (n.op === 'stopGradient' || n.op === 'customVjp') {
      map.set(n, map.get(n.inputs[0]!)!);
      continue;
    }
    if (n.inputs.length === 0) {
      map.set(n, n);
      continue;
    }
    const inputs = n.inputs.map((i) => map.get(i)!);
    map.set(n, inputs.every((x, i) => x === n.inputs[i]) ? n : makeNode(n.op as Prim, inputs, n.params as PrimParams[Prim]));
  }
  return outputs.map((o) => map.get(o)!);
}
