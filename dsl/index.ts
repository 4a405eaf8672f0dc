/** The pretext DSL: named-axis tensors, ops, composites, randomness, pytrees and autodiff. */
export { Tensor } from './tensor.ts';
export type { Axes, NamesOf, Without, Union, Intersect, Replace, Collapse, Renamed, DotAxes, Gathered, Merged, Covers, IfTyped } from './axes.ts';
export { untyped, asAxes } from './boundary.ts';
export type { DType } from '../compiler/ir/dtype.ts';
export * from './ops/elementwise.ts';
export { sum, max, min, mean, argmax, sumAll, meanAll } from './ops/reduce.ts';
export { dot } from './ops/dot.ts';
export { rename, transpose, split, merge, slice, pad, concat, expand, broadcastTo, squeeze } from './ops/shape.ts';
export { gather, scatterAdd } from './ops/gather.ts';
export { scalar, full, zeros, ones, zerosLike, onesLike, arange, iota, constantOf, literalOf } from './ops/create.ts';
export * from './nn/index.ts';
export {
  type KeyTensor, keyInput, randomBits, splitKey as splitKeyTensor, foldIn as foldInTensor, uniform, normal, bernoulli, randint,
  categorical, randomSubset, allTrue,
} from './random.ts';
export { HostTensor, TensorSpec, hostTensor, hostScalar, spec } from './host.ts';
export { type Tree, type TreeDef, type MapLeaves, flatten, unflatten, withLeaves, treeMap, TreeError } from './tree.ts';
export { trace, evaluate, isTensor, isHostTensor, type TracedFunction, type Symbolic, type Concrete } from './trace.ts';
export { valueAndGrad, grad, vjp, customVjp } from './grad.ts';
export { TraceError, AxisError, SizeMismatchError, DTypeMismatchError } from './errors.ts';
export { checkGrads, checkHvp, randomHost, GradientCheckError } from './testing/checkGrads.ts';
