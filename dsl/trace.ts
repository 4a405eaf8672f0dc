import type { Node } from '../compiler/ir/node.ts';
import * as ir from '../compiler/ir/ops.ts';
import { interpret } from '../compiler/interpreter/interpret.ts';
import type { HostArray } from '../compiler/interpreter/hostArray.ts';
import type { Axes } from './axes.ts';
import { HostTensor, TensorSpec } from './host.ts';
import { Tensor } from './tensor.ts';
import { type TreeDef, TreeError, flatten, unflatten } from './tree.ts';

export const isTensor = (x: unknown): x is Tensor<Axes> => x instanceof Tensor;
export const isHostTensor = (x: unknown): x is HostTensor<Axes> => x instanceof HostTensor;
const isSpecLeaf = (x: unknown) => x instanceof HostTensor || x instanceof TensorSpec;

/** What a traced function's graph looks like from outside: flat inputs and outputs with their names. */
export interface TracedFunction {
  readonly inputs: readonly Node[];
  readonly inputPaths: readonly string[];
  readonly inputAxes: readonly Axes[];
  readonly argsDef: TreeDef;
  readonly outputs: readonly Node[];
  readonly outputAxes: readonly Axes[];
  readonly outputPaths: readonly string[];
  readonly outputDef: TreeDef;
}

/** A tuple type without `readonly` (axis tuples inferred from literals are readonly). */
type Writable<A> = { -readonly [K in keyof A]: A[K] };

/** Symbolic arguments for fn: each HostTensor/TensorSpec leaf becomes a Tensor with the same axes. */
export type Symbolic<T> = T extends HostTensor<infer A>
  ? Tensor<Writable<A>>
  : T extends TensorSpec<infer A>
    ? Tensor<Writable<A>>
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Symbolic<T[K]> }
      : T extends object
        ? { -readonly [K in keyof T]: Symbolic<T[K]> }
        : T;

/** Concrete results: each Tensor leaf becomes a HostTensor with the same axes. */
export type Concrete<T> = T extends Tensor<infer A>
  ? HostTensor<A>
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: Concrete<T[K]> }
    : T extends object
      ? { -readonly [K in keyof T]: Concrete<T[K]> }
      : T;

/**
 * Traces fn on symbolic inputs shaped like `args` (trees of HostTensor or TensorSpec leaves) and
 * returns its graph. fn returns a tree of Tensors.
 */
export function trace(fn: (...args: never[]) => unknown, args: readonly unknown[]): TracedFunction {
  const flat = flatten<HostTensor | TensorSpec>(args, isSpecLeaf);
  const inputs = flat.leaves.map((leaf, i) => ir.input(flat.paths[i]!, leaf.shape, leaf.dtype));
  const symbolic = unflatten(flat.def, inputs.map((n, i) => new Tensor(n, flat.leaves[i]!.axes))) as unknown[];
  const out = (fn as (...a: unknown[]) => unknown)(...symbolic);
  const outFlat = flatten<Tensor>(out, isTensor);
  if (outFlat.leaves.length === 0) throw new TreeError('trace: the function returned no tensors');
  return {
    inputs,
    inputPaths: flat.paths,
    inputAxes: flat.leaves.map((l) => l.axes),
    argsDef: flat.def,
    outputs: outFlat.leaves.map((t) => t.node),
    outputAxes: outFlat.leaves.map((t) => t.axes),
    outputPaths: outFlat.paths,
    outputDef: outFlat.def,
  };
}

/** The output tree of a traced function from flat arrays of results. */
export function assembleOutputs(traced: TracedFunction, results: readonly HostArray[]): unknown {
  return unflatten(
    traced.outputDef,
    results.map((r, i) => new HostTensor(traced.outputAxes[i]!, r.shape, r.dtype, r.data)),
  );
}

/** Flat input arrays of a traced function from argument trees (checked against the traced specs). */
export function flattenArgs(traced: TracedFunction, args: readonly unknown[]): HostTensor[] {
  const flat = flatten<HostTensor>(args, isHostTensor);
  if (flat.leaves.length !== traced.inputs.length) {
    throw new TreeError(`expected ${traced.inputs.length} input tensors (${traced.inputPaths.join(', ')}), got ${flat.leaves.length}`);
  }
  return flat.leaves;
}

/**
 * Runs fn on the reference interpreter (float64): evaluate(fn, params, batch) with HostTensor
 * trees. Returns fn's output tree with HostTensor leaves.
 */
export function evaluate<Args extends readonly unknown[], R>(fn: (...args: Symbolic<Args>) => R, ...args: Args): Concrete<R> {
  const traced = trace(fn as (...a: never[]) => unknown, args);
  const leaves = flattenArgs(traced, args);
  const bindings = new Map<Node, HostArray>(traced.inputs.map((n, i) => [n, leaves[i]!]));
  return assembleOutputs(traced, interpret(traced.outputs, bindings)) as Concrete<R>;
}
