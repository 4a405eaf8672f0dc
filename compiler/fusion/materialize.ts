import type { Node } from '../ir/node.ts';
import { isBinary, isUnary } from '../ir/primitives.ts';
import { isViewOp, stridedView } from './stridedView.ts';

export const isSource = (n: Node): boolean => n.op === 'input' || n.op === 'literal';
/** Ops that need a kernel of their own (their result is read from memory). */
export const isAnchor = (n: Node): boolean =>
  n.op === 'dot' || n.op === 'reduceSum' || n.op === 'reduceMax' || n.op === 'argmax' || n.op === 'scatterAdd';
export const isReduction = (n: Node): boolean => n.op === 'reduceSum' || n.op === 'reduceMax' || n.op === 'argmax';
const isArithmetic = (n: Node): boolean => isUnary(n.op) || isBinary(n.op) || n.op === 'select' || n.op === 'cast';

/** Users of every node reachable from the outputs. */
export function usersOf(order: readonly Node[]): Map<Node, Node[]> {
  const users = new Map<Node, Node[]>();
  for (const n of order) users.set(n, []);
  for (const n of order) for (const i of n.inputs) users.get(i)!.push(n);
  return users;
}

/** Recomputing in each consumer beats a round trip through memory below this cost. */
const RECOMPUTE_BELOW = 4;
/**
 * At the threshold on purpose: a transcendental value read by two kernels is always stored, never
 * recomputed, because the JavaScript and SIMD approximations may differ in the last bit and max's
 * gradient mask compares a recomputed value with a stored one.
 */
const TRANSCENDENTAL_COST = RECOMPUTE_BELOW;
const TRANSCENDENTAL = new Set(['exp', 'log', 'log1p', 'sqrt', 'rsqrt', 'tanh', 'erf', 'sin', 'cos', 'div', 'pow', 'reciprocal']);

/**
 * Work a node would cost inlined into a consumer, in units of a cheap arithmetic op: views and
 * constants are free, transcendental ops cost 4, random bits 20. Compared against the cost of a
 * round trip through memory when deciding whether to recompute or materialise.
 */
function inlineCost(n: Node, materialised: ReadonlySet<Node>, root: Node = n, seen = new Set<Node>()): number {
  if ((n !== root && materialised.has(n)) || isSource(n) || seen.has(n)) return 0;
  seen.add(n);
  const own = n.op === 'randomBits' ? 20 : n.op === 'gather' ? 2 : TRANSCENDENTAL.has(n.op) ? TRANSCENDENTAL_COST : isArithmetic(n) ? 1 : 0;
  return own + n.inputs.reduce((s, i) => s + inlineCost(i, materialised, root, seen), 0);
}

/**
 * Decides which nodes get a buffer. Always: outputs, sources, and anchors (matmuls, reductions,
 * scatters). Also: the base of a matmul operand's view chain, randomBits keys, gather tables that
 * are computed, values that two or more kernels would otherwise each recompute (unless nearly
 * free), and costly values broadcast to a much larger shape (computed once, not per element).
 * Everything else is inlined into the kernels that read it.
 */
export function chooseMaterialised(order: readonly Node[], outputs: readonly Node[], users: ReadonlyMap<Node, Node[]>): Set<Node> {
  const m = new Set<Node>();
  for (const n of order) if (isSource(n) || isAnchor(n)) m.add(n);
  for (const o of outputs) m.add(o);
  const isM = (n: Node) => m.has(n);
  for (const n of order) {
    if (n.op === 'randomBits') m.add(n.inputs[0]!);
    if (n.op === 'gather' && !isViewOp(n.inputs[0]!) && !isSource(n.inputs[0]!)) m.add(n.inputs[0]!);
    if (n.op === 'dot') for (const x of n.inputs) m.add(stridedView(x, isM)?.base ?? x);
    if (n.op === 'broadcast' && n.size >= 4 * n.inputs[0]!.size && inlineCost(n.inputs[0]!, m) >= 2) m.add(n.inputs[0]!);
  }
  // Reverse topological order: users are decided before their producers. A producer's cost is
  // only known once its own producers are decided, so demote values that turn out cheap to
  // recompute and repeat until nothing changes.
  const forced = new Set(m);
  for (let round = 0; round < 6; round++) {
    const consumers = new Map<Node, Set<Node>>();
    let changed = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const n = order[k]!;
      if (forced.has(n)) continue;
      const set = new Set<Node>();
      for (const u of users.get(n) ?? []) {
        if (m.has(u)) set.add(u);
        else for (const c of consumers.get(u) ?? []) set.add(c);
      }
      const want = set.size >= 2 && inlineCost(n, m) >= RECOMPUTE_BELOW;
      if (want !== m.has(n)) {
        changed = true;
        if (want) m.add(n);
        else m.delete(n);
      }
      if (!want) consumers.set(n, set);
    }
    if (!changed) break;
  }
  return m;
}
