import { PretextError } from '../../util/errors.ts';

/** A shape, rank or axis that does not fit an op (positional IR level). */
export class ShapeError extends PretextError {}
/** An operand of the wrong element type for an op. */
export class DTypeError extends PretextError {}
/** A gather/scatter index outside its axis, found at run time. */
export class IndexError extends PretextError {}
/** A graph that cannot be differentiated as asked (e.g. a gradient of a non-scalar). */
export class AutodiffError extends PretextError {}
