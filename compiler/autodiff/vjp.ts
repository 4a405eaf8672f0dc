import { AutodiffError } from '../ir/errors.ts';
import type { Node } from '../ir/node.ts';
import * as ir from '../ir/ops.ts';
import { vjpRules } from './vjpRules.ts';

/** Inputs through which a cotangent may flow (customVjp's forward value is not one of them). */
const differentiableInputs = (n: Node): readonly Node[] => (n.op === 'customVjp' ? n.inputs.slice(1) : n.inputs);

/**
 * Reverse-mode autodiff as a graph transform: the cotangents of `wrt` given cotangents of
 * `outputs`. Only nodes on a float path from some wrt node to some output are visited; cotangents
 * that are zero stay symbolic (absent) and never build nodes. Unreached wrt nodes get zeros.
 */
export function vjp(outputs: readonly Node[], cotangents: readonly Node[], wrt: readonly Node[]): Node[] {
  if (outputs.length !== cotangents.length) throw new AutodiffError('vjp: one cotangent per output is needed');
  outputs.forEach((o, i) => {
    const c = cotangents[i]!;
    if (c.dtype !== o.dtype || c.shape.join() !== o.shape.join()) {
      throw new AutodiffError(`vjp: cotangent ${i} is ${c.dtype}[${c.shape}] but the output is ${o.dtype}[${o.shape}]`, { output: i });
    }
  });
  for (const w of wrt) {
    if (w.dtype !== 'f32') throw new AutodiffError(`cannot differentiate with respect to a ${w.dtype} value (only f32)`, { dtype: w.dtype });
  }

  // Ancestors of the outputs, in id (= topological) order.
  const seen = new Set<Node>();
  const stack = [...outputs];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const i of n.inputs) stack.push(i);
  }
  const order = [...seen].sort((a, b) => a.id - b.id);

  // Active = float nodes that depend on some wrt node.
  const wrtSet = new Set(wrt);
  const active = new Set<Node>();
  for (const n of order) {
    if (n.dtype !== 'f32' || n.op === 'stopGradient') continue;
    if (wrtSet.has(n) || differentiableInputs(n).some((i) => active.has(i))) active.add(n);
  }

  const ct = new Map<Node, Node>();
  const accumulate = (n: Node, g: Node) => {
    const prev = ct.get(n);
    ct.set(n, prev ? ir.add(prev, g) : g);
  };
  outputs.forEach((o, i) => {
    if (active.has(o)) accumulate(o, cotangents[i]!);
  });

  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    const g = ct.get(n);
    if (!g || !active.has(n)) continue;
    const needs = n.inputs.map((i, idx) => active.has(i) && !(n.op === 'customVjp' && idx === 0));
    if (!needs.some(Boolean)) continue;
    const rule = vjpRules[n.op] as (node: Node, g: Node, needs: readonly boolean[]) => readonly (Node | null)[];
    const grads = rule(n, g, needs);
    n.inputs.forEach((input, idx) => {
      const gi = grads[idx];
      if (needs[idx] && gi) accumulate(input, gi);
    });
  }
  return wrt.map((w) => ct.get(w) ?? ir.zerosLike(w));
}
