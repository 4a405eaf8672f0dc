import type { DType } from './dtype.ts';
import type { Prim, PrimParams } from './primitives.ts';

let nextNodeId = 1;

/**
 * A node of the graph IR: a primitive applied to input nodes. Nodes are immutable and hash-consed
 * (structurally equal nodes are the same object), so common subexpressions are shared for free.
 * Ids grow with creation and inputs are always created first, so id order is a topological order.
 */
export class Node<P extends Prim = Prim> {
  readonly id = nextNodeId++;

  constructor(
    readonly op: P,
    readonly inputs: readonly Node[],
    readonly params: Readonly<PrimParams[P]>,
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {}

  /** Number of elements. */
  get size(): number {
    let s = 1;
    for (const d of this.shape) s *= d;
    return s;
  }

  is<Q extends Prim>(op: Q): this is Node<Q> {
    return (this.op as Prim) === op;
  }

  toString(): string {
    return `%${this.id} = ${this.op}(${this.inputs.map((i) => `%${i.id}`).join(', ')}) : ${this.dtype}[${this.shape.join(',')}]`;
  }
}

/** A fresh unique id for literals, inputs and custom-vjp nodes (never hash-consed together). */
export const freshId = (): number => nextNodeId++;

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}
