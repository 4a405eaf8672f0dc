/**
 * Type-level axis bookkeeping: the result axes of every op, computed from its operands' axis
 * tuples, so that `Tensor<['batch', 'seq', 'hidden']>` flows through a model without casts. Kept
 * small on purpose (each type mirrors one op's run-time axis rule). A tensor whose axes are a
 * general `string[]` (not a tuple) is the escape hatch: every name type-checks and only the
 * trace-time checks apply (see dsl/boundary.ts).
 */
export type Axes = readonly string[];

/** Whether A is a tuple of known names (not the untyped `string[]`). */
type IsTuple<A extends Axes> = number extends A['length'] ? false : true;

/** Tuples whose names are all drawn from A: `L extends NamesOf<A>` says "L's axes are a subset of A's". */
export type NamesOf<A extends Axes> = readonly A[number][];

/** An argument check: `unknown` when B has every name of A (or A is untyped), else a type naming the missing ones. */
export type Covers<B extends Axes, A extends Axes> =
  IsTuple<A> extends false ? unknown : [Exclude<A[number], B[number]>] extends [never] ? unknown : { readonly missingAxes: Exclude<A[number], B[number]> };

/** W when A is a tuple of known names, untyped `Axes` when A is (the escape hatch stays permissive). */
export type IfTyped<A extends Axes, W extends Axes> = IsTuple<A> extends true ? W : Axes;

/** A without the names in R. */
export type Without<A extends Axes, R extends string> =
  IsTuple<A> extends false
    ? Axes
    : A extends readonly [infer H extends string, ...infer T extends Axes]
      ? H extends R
        ? Without<T, R>
        : [H, ...Without<T, R>]
      : [];

/** A's names that are also in B, in A's order. */
export type Intersect<A extends Axes, B extends Axes> =
  IsTuple<A> extends false ? Axes : IsTuple<B> extends false ? Axes : Without<A, Exclude<A[number], B[number]>>;

/** Result axes of a broadcasting op: A's axes, then B's axes that A lacks (a number operand is `[]`). */
export type Union<A extends Axes, B extends Axes> =
  B extends readonly [] ? A
    : A extends readonly [] ? B
      : IsTuple<A> extends false ? Axes : IsTuple<B> extends false ? Axes : [...A, ...Without<B, A[number]>];

/** A with axis X replaced (in place) by the names in W. */
export type Replace<A extends Axes, X extends string, W extends Axes> =
  IsTuple<A> extends false
    ? Axes
    : A extends readonly [infer H extends string, ...infer T extends Axes]
      ? H extends X
        ? [...W, ...T]
        : [H, ...Replace<T, X, W>]
      : [];

/** A with the names in S collapsed into one axis X at the first one's place (scatterAdd). */
export type Collapse<A extends Axes, S extends string, X extends string> =
  IsTuple<A> extends false
    ? Axes
    : A extends readonly [infer H extends string, ...infer T extends Axes]
      ? H extends S
        ? [X, ...Without<T, S>]
        : [H, ...Collapse<T, S, X>]
      : [];

/** A with names renamed by the map M. */
export type Renamed<A extends Axes, M extends Partial<Record<A[number], string>>> =
  IsTuple<A> extends false ? Axes : { -readonly [K in keyof A]: A[K] extends keyof M ? (M[A[K]] extends string ? M[A[K]] : A[K]) : A[K] };

/** Result of dot(a, b, contracted): shared uncontracted axes (batch), then a's own, then b's own. */
export type DotAxes<A extends Axes, B extends Axes, C extends string> = [
  ...Without<Intersect<A, B>, C>,
  ...Without<A, B[number]>,
  ...Without<B, A[number]>,
];

/** Result of gather(x, indices, X): X replaced by the index axes x lacks (the others are batch axes). */
export type Gathered<A extends Axes, I extends Axes, X extends string> = Replace<A, X, Without<I, A[number]>>;

/** Result of merge(x, [X, Y], Into): Y removed and X replaced by Into. */
export type Merged<A extends Axes, X extends string, Y extends string, Into extends string> = Replace<Without<A, Y>, X, [Into]>;
