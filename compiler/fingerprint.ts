import type { Node } from './ir/node.ts';
import type { PrimParams } from './ir/primitives.ts';
import { topoOrder } from './interpreter/interpret.ts';

/**
 * A structural key of a graph: the same ops, parameters, input positions and shapes give the same
 * key whatever the node ids, so a re-traced function finds its compiled program in the cache.
 * Literals contribute their contents; custom-vjp nodes are gone after lowering.
 */
export function graphFingerprint(inputs: readonly Node[], outputs: readonly Node[]): string {
  const local = new Map<Node, number>();
  inputs.forEach((n, i) => local.set(n, i));
  const parts: string[] = [inputs.map((n) => `${n.dtype}[${n.shape}]`).join(';')];
  let next = inputs.length;
  for (const n of topoOrder(outputs)) {
    if (local.has(n)) continue;
    local.set(n, next++);
    let params: string;
    if (n.op === 'literal') {
      const { data } = n.params as PrimParams['literal'];
      params = `${n.shape}:${Array.from(data as ArrayLike<number>).join(',')}`;
    } else if (n.op === 'input') params = `unbound:${(n.params as PrimParams['input']).name}`;
    else params = JSON.stringify(n.params, (k, v) => (k === 'backward' || k === 'id' ? undefined : v));
    parts.push(`${n.op}(${n.inputs.map((i) => local.get(i)).join(',')})${params}:${n.dtype}`);
  }
  parts.push(`out:${outputs.map((o) => local.get(o)).join(',')}`);
  return parts.join('\n');
}
