import { vjp as vjpNodes } from '../compiler/autodiff/vjp.ts';
import { AutodiffError } from '../compiler/ir/errors.ts';
import type { Node } from '../compiler/ir/node.ts';
import * as ir from '../compiler/ir/ops.ts';
import type { Axes } from './axes.ts';
import { describeAxes } from './errors.ts';
import { Tensor } from './tensor.ts';
import { flatten, unflatten } from './tree.ts';

const isTensor = (x: unknown): x is Tensor<Axes> => x instanceof Tensor;

/** The loss of a function's result: the result itself, or its `loss` field. */
type LossResult = Tensor<[]> | { readonly loss: Tensor<[]> };

function lossOf(out: LossResult): Tensor<[]> {
  const loss = out instanceof Tensor ? out : out.loss;
  if (!(loss instanceof Tensor)) throw new AutodiffError('grad: the function must return a scalar Tensor or an object with a `loss` Tensor');
  if (loss.rank !== 0 || loss.dtype !== 'f32') {
    throw new AutodiffError(`grad: the loss must be an f32 scalar, got ${loss.dtype}${describeAxes(loss.axes, loss.shape)}`, { axes: loss.axes });
  }
  return loss;
}

/** Aligns a cotangent's axes to the primal's order (a backward rule may return any order). */
function alignTo(primal: Tensor<Axes>, g: Tensor<Axes>, what: string): Node {
  if (g.axes.length !== primal.axes.length || !primal.axes.every((a) => g.axes.includes(a))) {
    throw new AutodiffError(`${what}: cotangent axes ${describeAxes(g.axes, g.shape)} do not match ${describeAxes(primal.axes, primal.shape)}`);
  }
  const node = ir.transpose(g.node, primal.axes.map((a) => g.axes.indexOf(a)));
  if (node.shape.some((d, i) => d !== primal.shape[i])) {
    throw new AutodiffError(`${what}: cotangent sizes ${describeAxes(g.axes, g.shape)} do not match ${describeAxes(primal.axes, primal.shape)}`);
  }
  return node;
}

/**
 * Vector-Jacobian product over pytrees: the cotangents of every leaf of `wrt` given cotangents of
 * the `outputs` leaves (same structures). The result has wrt's structure and axes.
 */
export function vjp<W>(outputs: unknown, cotangents: unknown, wrt: W): W {
  const outs = flatten<Tensor>(outputs, isTensor);
  const cts = flatten<Tensor>(cotangents, isTensor);
  if (outs.leaves.length !== cts.leaves.length) throw new AutodiffError(`vjp: ${cts.leaves.length} cotangents for ${outs.leaves.length} outputs`);
  const w = flatten<Tensor>(wrt, isTensor);
  w.leaves.forEach((t, i) => {
    if (t.dtype !== 'f32') throw new AutodiffError(`cannot differentiate with respect to "${w.paths[i] || '(root)'}": it is ${t.dtype}, not f32`, { path: w.paths[i] });
  });
  const grads = vjpNodes(
    outs.leaves.map((t) => t.node),
    cts.leaves.map((c, i) => alignTo(outs.leaves[i]!, c, 'vjp')),
    w.leaves.map((t) => t.node),
  );
  return unflatten(w.def, grads.map((g, i) => new Tensor(g, w.leaves[i]!.axes))) as W;
}

/**
 * value and gradient of fn with respect to its first argument (a pytree of f32 Tensors):
 *   const { value, grads } = valueAndGrad(loss)(params, batch)
 * fn returns a scalar, or an object whose `loss` field is the scalar (other fields ride along in
 * `value`, e.g. metrics).
 */
export function valueAndGrad<P, Rest extends readonly unknown[], R extends LossResult>(fn: (params: P, ...rest: Rest) => R) {
  return (params: P, ...rest: Rest): { value: R; grads: P } => {
    const value = fn(params, ...rest);
    const loss = lossOf(value);
    return { value, grads: vjp(loss, new Tensor(ir.constant(1, [], 'f32'), [] as []), params) };
  };
}

/** The gradient of fn with respect to its first argument. */
export function grad<P, Rest extends readonly unknown[], R extends LossResult>(fn: (params: P, ...rest: Rest) => R) {
  return (params: P, ...rest: Rest): P => valueAndGrad(fn)(params, ...rest).grads;
}

/**
 * A function with a hand-written backward pass: `forward` computes the value from the primal
 * tensors; `backward(g, primals, out)` returns one cotangent per primal (null for none), built
 * from DSL ops (so it can be differentiated again).
 */
export function customVjp<Args extends readonly Tensor<Axes>[], A extends Axes>(
  name: string,
  forward: (...args: Args) => Tensor<A>,
  backward: (g: Tensor<A>, primals: Args, out: Tensor<A>) => readonly (Tensor<Axes> | null)[],
): (...args: Args) => Tensor<A> {
  return (...args: Args) => {
    const out = forward(...args);
    const node = ir.customVjp(name, out.node, args.map((a) => a.node), (g, primals, outNode) => {
      const primalTensors = primals.map((p, i) => new Tensor(p, args[i]!.axes)) as unknown as Args;
      const cts = backward(new Tensor(g, out.axes), primalTensors, new Tensor(outNode, out.axes));
      if (cts.length !== args.length) throw new AutodiffError(`customVjp ${name}: backward returned ${cts.length} cotangents for ${args.length} inputs`);
      return cts.map((c, i) => (c ? alignTo(args[i]!, c, `customVjp ${name}`) : null));
    });
    return new Tensor(node, out.axes);
  };
}
