import type { Axes } from './axes.ts';
import type { Tensor } from './tensor.ts';

/**
 * The host boundary: the only sanctioned ways to leave or re-enter the typed axes, for values
 * whose axes are known only at run time (host data and parameter files, code generic over any
 * pytree of parameters). Everywhere else axes flow through the op result types (dsl/axes.ts).
 */

/** The same tensor with its axes typed as plain strings (every name type-checks; trace-time checks only). */
export const untyped = <A extends Axes>(x: Tensor<A>): Tensor<Axes> => x.untyped();

/** A tensor of run-time axes, typed as `axes`: asserted at trace time (an AxisError names both layouts). */
export const asAxes = <const B extends Axes>(x: Tensor<Axes>, axes: readonly [...B]): Tensor<B> => x.as(axes);
