import { isFloat } from './ir/dtype.ts';
import type { Node } from './ir/node.ts';
import { isBinary, isUnary } from './ir/primitives.ts';

/** Floating-point operations of one run of a program, by kind. */
export interface FlopCount {
  /** dot: 2·m·n·k per batch element (a multiply and an add per product term). */
  readonly matmul: number;
  /** Float elementwise ops (arithmetic, transcendental, comparisons, select): one per output element. */
  readonly elementwise: number;
  /** Float reductions and scatter-adds: one per element combined (inputs − outputs for a reduction). */
  readonly reduction: number;
  readonly total: number;
}

/** FLOPs of one node (0 for data movement, sources, integer and boolean work such as masks and random bits). */
function nodeFlops(n: Node): { matmul: number; elementwise: number; reduction: number } {
  const none = { matmul: 0, elementwise: 0, reduction: 0 };
  if (n.is('dot')) {
    const [a] = n.inputs as [Node];
    const k = n.params.contract[0].reduce((p, ax) => p * a.shape[ax]!, 1);
    return { ...none, matmul: 2 * n.size * k };
  }
  if (isUnary(n.op) || isBinary(n.op) || n.op === 'select') {
    // a comparison's output is bool, select's condition is; what counts is float operands
    return n.inputs.some((i) => isFloat(i.dtype)) ? { ...none, elementwise: n.size } : none;
  }
  if (n.op === 'reduceSum' || n.op === 'reduceMax' || n.op === 'argmax') {
    const x = n.inputs[0]!;
    return isFloat(x.dtype) ? { ...none, reduction: x.size - n.size } : none;
  }
  if (n.op === 'scatterAdd') {
    const updates = n.inputs[0]!;
    return isFloat(updates.dtype) ? { ...none, reduction: updates.size } : none;
  }
  return none;
}

/**
 * FLOPs of computing `outputs` from their graph: every node reachable from them counted once (the
 * graph is hash-consed, so a shared subexpression is one node). This is the program's arithmetic,
 * independent of fusion and of the backend (a kernel that recomputes a cheap value is not charged
 * twice), the usual convention for comparing methods at equal compute.
 */
export function countFlops(outputs: readonly Node[]): FlopCount {
  const seen = new Set<Node>();
  const stack = [...outputs];
  let matmul = 0;
  let elementwise = 0;
  let reduction = 0;
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const f = nodeFlops(n);
    matmul += f.matmul;
    elementwise += f.elementwise;
    reduction += f.reduction;
    for (const i of n.inputs) if (!seen.has(i)) stack.push(i);
  }
  return { matmul, elementwise, reduction, total: matmul + elementwise + reduction };
}
