/**
 * Type-level axis bookkeeping, kept small on purpose: remove, union, rename, replace. A tensor
 * whose axes are a general `string[]` (not a tuple) is the escape hatch: every name type-checks and
 * only the trace-time checks apply.
 */
export type Axes = readonly string[];

type IsTuple<A extends Axes> = number extends A['length'] ? false : true;

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

/** Result axes of a broadcasting op: A's axes, then B's axes that A lacks. */
export type Union<A extends Axes, B extends Axes> =
  IsTuple<A> extends false ? Axes : IsTuple<B> extends false ? Axes : [...A, ...Without<B, A[number]>];

/** A with axis X replaced (in place) by the names in W. */
export type Replace<A extends Axes, X extends string, W extends Axes> =
  IsTuple<A> extends false
    ? Axes
    : A extends readonly [infer H extends string, ...infer T extends Axes]
      ? H extends X
        ? [...W, ...T]
        : [H, ...Replace<T, X, W>]
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
