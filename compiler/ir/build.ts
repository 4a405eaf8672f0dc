import { Node } from './node.ts';
import type { Prim, PrimParams } from './primitives.ts';
import { shapeRules } from './shapeRules.ts';
import { simplify } from './simplify.ts';

/**
 * Hash-consing table. Children are stored under their newest non-constant input (a WeakMap key),
 * so a node lives exactly as long as its inputs can still be reached: nothing leaks across traces.
 * Nodes with no inputs (constants, iota) live in a small global table.
 */
const consByOwner = new WeakMap<Node, Map<string, Node>>();
const consRoots = new Map<string, Node>();
const UNIQUE: ReadonlySet<Prim> = new Set<Prim>(['input', 'literal']);

function paramsKey(op: Prim, params: object): string {
  switch (op) {
    case 'literal':
    case 'input':
    case 'customVjp':
      return String((params as { id: number }).id);
    default:
      return JSON.stringify(params);
  }
}

function table(inputs: readonly Node[]): Map<string, Node> {
  let owner: Node | undefined;
  for (const i of inputs) if (i.op !== 'constant' && i.op !== 'iota' && (!owner || i.id > owner.id)) owner = i;
  if (!owner) return consRoots;
  let t = consByOwner.get(owner);
  if (!t) consByOwner.set(owner, (t = new Map()));
  return t;
}

/**
 * The one way nodes are made: infer and check shape and dtype, simplify algebraically (constant
 * folding, identities), then return the existing structurally equal node if there is one.
 */
export function makeNode<P extends Prim>(op: P, inputs: readonly Node[], params: PrimParams[P]): Node {
  const { shape, dtype } = shapeRules[op](inputs, params);
  const simpler = simplify(op, inputs, params, shape, dtype);
  if (simpler) return simpler;
  if (UNIQUE.has(op)) return new Node(op, inputs, params, shape, dtype);
  const key = `${op}|${inputs.map((i) => i.id).join(',')}|${paramsKey(op, params)}|${dtype}`;
  const t = table(inputs);
  const found = t.get(key);
  if (found) return found;
  const node = new Node(op, inputs, params, shape, dtype);
  t.set(key, node);
  return node;
}
