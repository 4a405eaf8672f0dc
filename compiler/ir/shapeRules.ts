import { type DType, DTYPES, isFloat, isInteger } from './dtype.ts';
import { DTypeError, ShapeError } from './errors.ts';
import type { Node } from './node.ts';
import { sizeOf } from './node.ts';
import { type Prim, type PrimParams, isComparison } from './primitives.ts';

export interface ShapeAndDType {
  shape: readonly number[];
  dtype: DType;
}
type ShapeRule<P extends Prim> = (inputs: readonly Node[], params: PrimParams[P]) => ShapeAndDType;

const fmt = (s: readonly number[]) => `[${s.join(',')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function arity(op: Prim, inputs: readonly Node[], n: number): void {
  if (inputs.length !== n) throw new ShapeError(`${op}: expected ${n} operand(s), got ${inputs.length}`, { op });
}

function checkShape(op: Prim, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${fmt(shape)}`, { op, shape });
  }
}

function checkAxes(op: Prim, rank: number, axes: readonly number[], what = 'axis'): void {
  const seen = new Set<number>();
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= rank) {
      throw new ShapeError(`${op}: ${what} ${a} out of range for rank ${rank}`, { op, axis: a, rank });
    }
    if (seen.has(a)) throw new ShapeError(`${op}: ${what} ${a} repeated`, { op, axis: a });
    seen.add(a);
  }
}

const FLOAT_ONLY = new Set<Prim>(['exp', 'log', 'log1p', 'sqrt', 'rsqrt', 'tanh', 'erf', 'reciprocal', 'sin', 'cos', 'div', 'pow']);
const NUMERIC = new Set<Prim>(['neg', 'abs', 'sign', 'add', 'sub', 'mul', 'max', 'min']);

function unary(op: Prim): ShapeRule<Prim> {
  return (inputs) => {
    arity(op, inputs, 1);
    const x = inputs[0]!;
    if (FLOAT_ONLY.has(op) && !isFloat(x.dtype)) throw new DTypeError(`${op}: needs a float operand, got ${x.dtype}`, { op, dtype: x.dtype });
    if (NUMERIC.has(op) && x.dtype === 'bool') throw new DTypeError(`${op}: needs a numeric operand, got bool`, { op });
    if (op === 'not' && x.dtype !== 'bool') throw new DTypeError(`not: needs a bool operand, got ${x.dtype}`, { op });
    return { shape: x.shape, dtype: x.dtype };
  };
}

function binary(op: Prim): ShapeRule<Prim> {
  return (inputs) => {
    arity(op, inputs, 2);
    const [a, b] = inputs as [Node, Node];
    if (!sameShape(a.shape, b.shape)) {
      throw new ShapeError(`${op}: operand shapes differ: ${fmt(a.shape)} vs ${fmt(b.shape)} (broadcast explicitly)`, {
        op, shapes: [a.shape, b.shape],
      });
    }
    if (a.dtype !== b.dtype) throw new DTypeError(`${op}: operand dtypes differ: ${a.dtype} vs ${b.dtype}`, { op, dtypes: [a.dtype, b.dtype] });
    const d = a.dtype;
    if (FLOAT_ONLY.has(op) && !isFloat(d)) throw new DTypeError(`${op}: needs float operands, got ${d}`, { op, dtype: d });
    if (NUMERIC.has(op) && d === 'bool') throw new DTypeError(`${op}: needs numeric operands, got bool`, { op });
    if (op === 'mod' && !isInteger(d)) throw new DTypeError(`mod: needs integer operands, got ${d}`, { op, dtype: d });
    if ((op === 'and' || op === 'or' || op === 'xor') && !(d === 'bool' || d === 'u32')) {
      throw new DTypeError(`${op}: needs bool or u32 operands, got ${d}`, { op, dtype: d });
    }
    if ((op === 'shl' || op === 'shr') && d !== 'u32') throw new DTypeError(`${op}: needs u32 operands, got ${d}`, { op, dtype: d });
    return { shape: a.shape, dtype: isComparison(op) ? 'bool' : d };
  };
}

function reduction<P extends 'reduceSum' | 'reduceMax'>(op: P): ShapeRule<P> {
  return (inputs, { axes }) => {
    arity(op, inputs, 1);
    const x = inputs[0]!;
    if (x.dtype === 'bool') throw new DTypeError(`${op}: needs a numeric operand, got bool`, { op });
    checkAxes(op, x.shape.length, axes);
    if (op === 'reduceMax') {
      for (const a of axes) if (x.shape[a] === 0) throw new ShapeError(`reduceMax: axis ${a} is empty`, { op, axis: a });
    }
    return { shape: x.shape.filter((_, i) => !axes.includes(i)), dtype: x.dtype };
  };
}

/** Splits a gather operand shape into B, P, n, Q as documented on PrimParams.gather. */
function gatherParts(op: Prim, xShape: readonly number[], idxShape: readonly number[], axis: number, batchDims: number) {
  if (!Number.isInteger(batchDims) || batchDims < 0 || batchDims > idxShape.length) {
    throw new ShapeError(`${op}: batchDims ${batchDims} out of range for index rank ${idxShape.length}`, { op, batchDims });
  }
  if (!Number.isInteger(axis) || axis < batchDims || axis >= xShape.length) {
    throw new ShapeError(`${op}: axis ${axis} out of range (batchDims ${batchDims}, rank ${xShape.length})`, { op, axis });
  }
  for (let i = 0; i < batchDims; i++) {
    if (xShape[i] !== idxShape[i]) {
      throw new ShapeError(`${op}: batch axis ${i} has size ${xShape[i]} in the operand but ${idxShape[i]} in the index`, { op, axis: i });
    }
  }
  return {
    B: xShape.slice(0, batchDims),
    P: xShape.slice(batchDims, axis),
    n: xShape[axis]!,
    Q: xShape.slice(axis + 1),
    I: idxShape.slice(batchDims),
  };
}

function checkIndexDType(op: Prim, idx: Node): void {
  if (idx.dtype !== 'i32' && idx.dtype !== 'u32') throw new DTypeError(`${op}: indices must be i32 or u32, got ${idx.dtype}`, { op });
}

/** Shape and dtype inference for every primitive (a total table: a missing rule is a type error). */
export const shapeRules: { [P in Prim]: ShapeRule<P> } = {
  neg: unary('neg'), exp: unary('exp'), log: unary('log'), log1p: unary('log1p'), sqrt: unary('sqrt'),
  rsqrt: unary('rsqrt'), tanh: unary('tanh'), erf: unary('erf'), abs: unary('abs'), sign: unary('sign'),
  reciprocal: unary('reciprocal'), sin: unary('sin'), cos: unary('cos'), not: unary('not'),
  add: binary('add'), sub: binary('sub'), mul: binary('mul'), div: binary('div'), pow: binary('pow'),
  max: binary('max'), min: binary('min'), mod: binary('mod'),
  lt: binary('lt'), le: binary('le'), gt: binary('gt'), ge: binary('ge'), eq: binary('eq'), ne: binary('ne'),
  and: binary('and'), or: binary('or'), xor: binary('xor'), shl: binary('shl'), shr: binary('shr'),

  select: (inputs) => {
    arity('select', inputs, 3);
    const [c, a, b] = inputs as [Node, Node, Node];
    if (c.dtype !== 'bool') throw new DTypeError(`select: condition must be bool, got ${c.dtype}`, { op: 'select' });
    if (!sameShape(c.shape, a.shape) || !sameShape(a.shape, b.shape)) {
      throw new ShapeError(`select: shapes differ: ${fmt(c.shape)}, ${fmt(a.shape)}, ${fmt(b.shape)}`, { op: 'select' });
    }
    if (a.dtype !== b.dtype) throw new DTypeError(`select: branch dtypes differ: ${a.dtype} vs ${b.dtype}`, { op: 'select' });
    return { shape: a.shape, dtype: a.dtype };
  },
  cast: (inputs, { dtype }) => {
    arity('cast', inputs, 1);
    if (!DTYPES.includes(dtype)) throw new DTypeError(`cast: unknown dtype ${String(dtype)}`, { op: 'cast' });
    return { shape: inputs[0]!.shape, dtype };
  },

  reduceSum: reduction('reduceSum'),
  reduceMax: reduction('reduceMax'),
  argmax: (inputs, { axis }) => {
    arity('argmax', inputs, 1);
    const x = inputs[0]!;
    checkAxes('argmax', x.shape.length, [axis]);
    if (x.shape[axis] === 0) throw new ShapeError(`argmax: axis ${axis} is empty`, { op: 'argmax', axis });
    return { shape: x.shape.filter((_, i) => i !== axis), dtype: 'i32' };
  },
  dot: (inputs, { contract, batch }) => {
    arity('dot', inputs, 2);
    const [a, b] = inputs as [Node, Node];
    if (a.dtype !== b.dtype || !isFloat(a.dtype)) {
      throw new DTypeError(`dot: needs two float operands of the same dtype, got ${a.dtype} and ${b.dtype}`, { op: 'dot' });
    }
    const [ca, cb] = contract;
    const [ba, bb] = batch;
    if (ca.length !== cb.length || ba.length !== bb.length) {
      throw new ShapeError('dot: contracting/batch axis lists differ in length between operands', { op: 'dot' });
    }
    checkAxes('dot', a.shape.length, [...ca, ...ba]);
    checkAxes('dot', b.shape.length, [...cb, ...bb]);
    ca.forEach((ax, i) => {
      if (a.shape[ax] !== b.shape[cb[i]!]) {
        throw new ShapeError(`dot: contracted axes differ in size: lhs axis ${ax} = ${a.shape[ax]}, rhs axis ${cb[i]} = ${b.shape[cb[i]!]}`, { op: 'dot' });
      }
    });
    ba.forEach((ax, i) => {
      if (a.shape[ax] !== b.shape[bb[i]!]) {
        throw new ShapeError(`dot: batch axes differ in size: lhs axis ${ax} = ${a.shape[ax]}, rhs axis ${bb[i]} = ${b.shape[bb[i]!]}`, { op: 'dot' });
      }
    });
    const freeA = a.shape.filter((_, i) => !ca.includes(i) && !ba.includes(i));
    const freeB = b.shape.filter((_, i) => !cb.includes(i) && !bb.includes(i));
    return { shape: [...ba.map((i) => a.shape[i]!), ...freeA, ...freeB], dtype: a.dtype };
  },

  broadcast: (inputs, { shape, dims }) => {
    arity('broadcast', inputs, 1);
    const x = inputs[0]!;
    checkShape('broadcast', shape);
    if (dims.length !== x.shape.length) throw new ShapeError(`broadcast: dims has ${dims.length} entries for rank ${x.shape.length}`, { op: 'broadcast' });
    checkAxes('broadcast', shape.length, dims, 'dim');
    for (let i = 0; i < dims.length; i++) {
      if (i > 0 && dims[i]! <= dims[i - 1]!) throw new ShapeError('broadcast: dims must be increasing', { op: 'broadcast', dims });
      if (shape[dims[i]!] !== x.shape[i]) {
        throw new ShapeError(`broadcast: operand axis ${i} (size ${x.shape[i]}) cannot map to output axis ${dims[i]} (size ${shape[dims[i]!]})`, { op: 'broadcast' });
      }
    }
    return { shape, dtype: x.dtype };
  },
  reshape: (inputs, { shape }) => {
    arity('reshape', inputs, 1);
    checkShape('reshape', shape);
    const x = inputs[0]!;
    if (sizeOf(shape) !== x.size) throw new ShapeError(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`, { op: 'reshape' });
    return { shape, dtype: x.dtype };
  },
  transpose: (inputs, { perm }) => {
    arity('transpose', inputs, 1);
    const x = inputs[0]!;
    if (perm.length !== x.shape.length) throw new ShapeError(`transpose: perm [${perm}] does not match rank ${x.shape.length}`, { op: 'transpose' });
    checkAxes('transpose', x.shape.length, perm);
    return { shape: perm.map((p) => x.shape[p]!), dtype: x.dtype };
  },
  slice: (inputs, { starts, ends }) => {
    arity('slice', inputs, 1);
    const x = inputs[0]!;
    if (starts.length !== x.shape.length || ends.length !== x.shape.length) throw new ShapeError('slice: starts/ends must match the rank', { op: 'slice' });
    const shape = x.shape.map((d, i) => {
      const s = starts[i]!;
      const e = ends[i]!;
      if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > d || s > e) {
        throw new ShapeError(`slice: range [${s}, ${e}) invalid for axis ${i} of size ${d}`, { op: 'slice', axis: i });
      }
      return e - s;
    });
    return { shape, dtype: x.dtype };
  },
  pad: (inputs, { lo, hi }) => {
    arity('pad', inputs, 1);
    const x = inputs[0]!;
    if (lo.length !== x.shape.length || hi.length !== x.shape.length) throw new ShapeError('pad: lo/hi must match the rank', { op: 'pad' });
    for (const p of [...lo, ...hi]) if (!Number.isInteger(p) || p < 0) throw new ShapeError(`pad: negative or fractional padding ${p}`, { op: 'pad' });
    return { shape: x.shape.map((d, i) => d + lo[i]! + hi[i]!), dtype: x.dtype };
  },
  concat: (inputs, { axis }) => {
    if (inputs.length < 1) throw new ShapeError('concat: needs at least one operand', { op: 'concat' });
    const first = inputs[0]!;
    checkAxes('concat', first.shape.length, [axis]);
    let total = 0;
    for (const x of inputs) {
      if (x.dtype !== first.dtype) throw new DTypeError(`concat: dtypes differ: ${first.dtype} vs ${x.dtype}`, { op: 'concat' });
      if (x.shape.length !== first.shape.length || x.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw new ShapeError(`concat: shapes ${fmt(first.shape)} and ${fmt(x.shape)} differ off axis ${axis}`, { op: 'concat' });
      }
      total += x.shape[axis]!;
    }
    return { shape: first.shape.map((d, i) => (i === axis ? total : d)), dtype: first.dtype };
  },
  gather: (inputs, { axis, batchDims }) => {
    arity('gather', inputs, 2);
    const [x, idx] = inputs as [Node, Node];
    checkIndexDType('gather', idx);
    const { B, P, I, Q } = gatherParts('gather', x.shape, idx.shape, axis, batchDims);
    return { shape: [...B, ...P, ...I, ...Q], dtype: x.dtype };
  },
  scatterAdd: (inputs, { axis, batchDims, size }) => {
    arity('scatterAdd', inputs, 2);
    const [upd, idx] = inputs as [Node, Node];
    checkIndexDType('scatterAdd', idx);
    if (upd.dtype === 'bool') throw new DTypeError('scatterAdd: updates must be numeric', { op: 'scatterAdd' });
    // updates: B ++ P ++ I ++ Q; the output replaces I by [size].
    const nI = idx.shape.length - batchDims;
    const nP = axis - batchDims;
    if (nP < 0 || upd.shape.length < batchDims + nP + nI) throw new ShapeError('scatterAdd: updates rank too small', { op: 'scatterAdd' });
    for (let i = 0; i < idx.shape.length; i++) {
      const ui = i < batchDims ? i : i + nP;
      if (upd.shape[ui] !== idx.shape[i]) throw new ShapeError(`scatterAdd: updates axis ${ui} does not match index axis ${i}`, { op: 'scatterAdd' });
    }
    if (!Number.isInteger(size) || size < 0) throw new ShapeError(`scatterAdd: invalid size ${size}`, { op: 'scatterAdd' });
    const shape = [...upd.shape.slice(0, axis), size, ...upd.shape.slice(axis + nI)];
    return { shape, dtype: upd.dtype };
  },

  iota: (inputs, { shape, axis, dtype }) => {
    arity('iota', inputs, 0);
    checkShape('iota', shape);
    checkAxes('iota', shape.length, [axis]);
    if (dtype === 'bool') throw new DTypeError('iota: dtype must be numeric', { op: 'iota' });
    return { shape, dtype };
  },
  constant: (inputs, { shape, dtype, value }) => {
    arity('constant', inputs, 0);
    checkShape('constant', shape);
    if (typeof value !== 'number') throw new DTypeError('constant: value must be a number', { op: 'constant' });
    return { shape, dtype };
  },
  literal: (inputs, { shape, dtype, data }) => {
    arity('literal', inputs, 0);
    checkShape('literal', shape);
    if (data.length !== sizeOf(shape)) throw new ShapeError(`literal: ${data.length} values for shape ${fmt(shape)}`, { op: 'literal' });
    return { shape, dtype };
  },
  randomBits: (inputs, { shape }) => {
    arity('randomBits', inputs, 1);
    const k = inputs[0]!;
    if (k.dtype !== 'u32' || k.shape.length !== 1 || k.shape[0] !== 2) {
      throw new DTypeError(`randomBits: key must be u32[2], got ${k.dtype}${fmt(k.shape)}`, { op: 'randomBits' });
    }
    checkShape('randomBits', shape);
    return { shape, dtype: 'u32' };
  },
  input: (inputs, { shape, dtype }) => {
    arity('input', inputs, 0);
    checkShape('input', shape);
    return { shape, dtype };
  },
  stopGradient: (inputs) => {
    arity('stopGradient', inputs, 1);
    return { shape: inputs[0]!.shape, dtype: inputs[0]!.dtype };
  },
  customVjp: (inputs) => {
    if (inputs.length < 1) throw new ShapeError('customVjp: needs the forward value', { op: 'customVjp' });
    return { shape: inputs[0]!.shape, dtype: inputs[0]!.dtype };
  },
};
