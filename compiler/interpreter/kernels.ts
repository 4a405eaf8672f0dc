import { threefry2x32Into } from '../../prng/threefry.ts';
import { IndexError } from '../ir/errors.ts';
import { type Node, sizeOf, stridesOf } from '../ir/node.ts';
import type { Prim, PrimParams } from '../ir/primitives.ts';
import { isBinary, isUnary } from '../ir/primitives.ts';
import { binaryScalar, castScalar, unaryScalar, wrap } from '../ir/scalarOps.ts';
import { type HostArray, allocInterp, offsetsFor } from './hostArray.ts';

type Kernel<P extends Prim> = (node: Node<P>, args: readonly HostArray[]) => HostArray;
const P = <Q extends Prim>(n: Node<Q>) => n.params as PrimParams[Q];
const prod = (xs: readonly number[]) => sizeOf(xs);

const elementwiseUnary: Kernel<Prim> = (node, [x]) => {
  const out = allocInterp(node.dtype, node.shape);
  const f = unaryScalar(node.op as never, x!.dtype);
  const xd = x!.data;
  for (let i = 0; i < xd.length; i++) out.data[i] = f(xd[i]!);
  return out;
};
const elementwiseBinary: Kernel<Prim> = (node, [a, b]) => {
  const out = allocInterp(node.dtype, node.shape);
  const f = binaryScalar(node.op as never, a!.dtype);
  const ad = a!.data;
  const bd = b!.data;
  for (let i = 0; i < ad.length; i++) out.data[i] = f(ad[i]!, bd[i]!);
  return out;
};

/** Offsets of the output element each input element reduces into (reduced axes get stride 0). */
function reductionTargets(shape: readonly number[], axes: readonly number[]): Int32Array {
  const outShape = shape.filter((_, i) => !axes.includes(i));
  const outStrides = stridesOf(outShape);
  let k = 0;
  const strides = shape.map((_, i) => (axes.includes(i) ? 0 : outStrides[k++]!));
  return offsetsFor(shape, strides);
}

function transposeData(x: HostArray, perm: readonly number[]): HostArray {
  const inStrides = stridesOf(x.shape);
  const outShape = perm.map((p) => x.shape[p]!);
  const src = offsetsFor(outShape, perm.map((p) => inStrides[p]!));
  const out = allocInterp(x.dtype, outShape);
  for (let i = 0; i < src.length; i++) out.data[i] = x.data[src[i]!]!;
  return out;
}

/** Gather/scatter layout: x as [nB, nP, n, nQ], idx as [nB, nI]. */
function gatherDims(xShape: readonly number[], idxShape: readonly number[], axis: number, batchDims: number) {
  return {
    nB: prod(xShape.slice(0, batchDims)),
    nP: prod(xShape.slice(batchDims, axis)),
    n: xShape[axis]!,
    nQ: prod(xShape.slice(axis + 1)),
    nI: prod(idxShape.slice(batchDims)),
  };
}

function checkIndex(op: string, j: number, n: number, node: Node, site?: string): void {
  if (!(j >= 0 && j < n)) {
    throw new IndexError(`${op}: index ${j} out of range [0, ${n}) on axis ${(node.params as { axis: number }).axis}${site ? ` (${site})` : ''}`, {
      op, index: j, size: n, site,
    });
  }
}

/** Reference implementation of every primitive, in float64 (a total table). */
export const interpreterKernels: { [Q in Prim]: Kernel<Q> } = {
  neg: elementwiseUnary, exp: elementwiseUnary, log: elementwiseUnary, log1p: elementwiseUnary, sqrt: elementwiseUnary,
  rsqrt: elementwiseUnary, tanh: elementwiseUnary, erf: elementwiseUnary, abs: elementwiseUnary, sign: elementwiseUnary,
  reciprocal: elementwiseUnary, sin: elementwiseUnary, cos: elementwiseUnary, not: elementwiseUnary,
  add: elementwiseBinary, sub: elementwiseBinary, mul: elementwiseBinary, div: elementwiseBinary, pow: elementwiseBinary,
  max: elementwiseBinary, min: elementwiseBinary, mod: elementwiseBinary,
  lt: elementwiseBinary, le: elementwiseBinary, gt: elementwiseBinary, ge: elementwiseBinary, eq: elementwiseBinary, ne: elementwiseBinary,
  and: elementwiseBinary, or: elementwiseBinary, xor: elementwiseBinary, shl: elementwiseBinary, shr: elementwiseBinary,

  select: (node, [c, a, b]) => {
    const out = allocInterp(node.dtype, node.shape);
    for (let i = 0; i < out.data.length; i++) out.data[i] = c!.data[i] ? a!.data[i]! : b!.data[i]!;
    return out;
  },
  cast: (node, [x]) => {
    const out = allocInterp(node.dtype, node.shape);
    const f = castScalar(node.dtype);
    for (let i = 0; i < out.data.length; i++) out.data[i] = f(x!.data[i]!);
    return out;
  },

  reduceSum: (node, [x]) => {
    const out = allocInterp(node.dtype, node.shape);
    const t = reductionTargets(x!.shape, P(node).axes);
    const acc = new Float64Array(out.data.length);
    for (let i = 0; i < t.length; i++) acc[t[i]!] += x!.data[i]!;
    for (let i = 0; i < acc.length; i++) out.data[i] = wrap(node.dtype, acc[i]!);
    return out;
  },
  reduceMax: (node, [x]) => {
    const out = allocInterp(node.dtype, node.shape);
    const t = reductionTargets(x!.shape, P(node).axes);
    const acc = new Float64Array(out.data.length).fill(-Infinity);
    for (let i = 0; i < t.length; i++) {
      const v = x!.data[i]!;
      const o = t[i]!;
      if (v > acc[o]! || Number.isNaN(v)) acc[o] = v; // NaN propagates
    }
    out.data.set(acc);
    return out;
  },
  argmax: (node, [x]) => {
    const { axis } = P(node);
    const outer = prod(x!.shape.slice(0, axis));
    const n = x!.shape[axis]!;
    const inner = prod(x!.shape.slice(axis + 1));
    const out = allocInterp('i32', node.shape);
    for (let o = 0; o < outer; o++) {
      for (let q = 0; q < inner; q++) {
        let best = -Infinity;
        let arg = 0;
        for (let j = 0; j < n; j++) {
          const v = x!.data[(o * n + j) * inner + q]!;
          if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
            best = v;
            arg = j;
          }
        }
        out.data[o * inner + q] = arg;
      }
    }
    return out;
  },
  dot: (node, [a, b]) => {
    const { contract: [ca, cb], batch: [ba, bb] } = P(node);
    const freeA = a!.shape.map((_, i) => i).filter((i) => !ca.includes(i) && !ba.includes(i));
    const freeB = b!.shape.map((_, i) => i).filter((i) => !cb.includes(i) && !bb.includes(i));
    const at = transposeData(a!, [...ba, ...freeA, ...ca]).data;
    const bt = transposeData(b!, [...bb, ...cb, ...freeB]).data;
    const nb = prod(ba.map((i) => a!.shape[i]!));
    const m = prod(freeA.map((i) => a!.shape[i]!));
    const k = prod(ca.map((i) => a!.shape[i]!));
    const n = prod(freeB.map((i) => b!.shape[i]!));
    const out = allocInterp(node.dtype, node.shape);
    for (let z = 0; z < nb; z++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += at[(z * m + i) * k + p]! * bt[(z * k + p) * n + j]!;
          out.data[(z * m + i) * n + j] = s;
        }
      }
    }
    return out;
  },

  broadcast: (node, [x]) => {
    const { shape, dims } = P(node);
    const xs = stridesOf(x!.shape);
    const strides = shape.map((_, i) => (dims.includes(i) ? xs[dims.indexOf(i)]! : 0));
    const src = offsetsFor(shape, strides);
    const out = allocInterp(node.dtype, shape);
    for (let i = 0; i < src.length; i++) out.data[i] = x!.data[src[i]!]!;
    return out;
  },
  reshape: (node, [x]) => ({ dtype: x!.dtype, shape: node.shape, data: x!.data }),
  transpose: (node, [x]) => transposeData(x!, P(node).perm),
  slice: (node, [x]) => {
    const { starts } = P(node);
    const xs = stridesOf(x!.shape);
    const base = starts.reduce((s, st, i) => s + st * xs[i]!, 0);
    const src = offsetsFor(node.shape, xs, base);
    const out = allocInterp(node.dtype, node.shape);
    for (let i = 0; i < src.length; i++) out.data[i] = x!.data[src[i]!]!;
    return out;
  },
  pad: (node, [x]) => {
    const { lo } = P(node);
    const os = stridesOf(node.shape);
    const base = lo.reduce((s, l, i) => s + l * os[i]!, 0);
    const dst = offsetsFor(x!.shape, os, base);
    const out = allocInterp(node.dtype, node.shape);
    for (let i = 0; i < dst.length; i++) out.data[dst[i]!] = x!.data[i]!;
    return out;
  },
  concat: (node, args) => {
    const { axis } = P(node);
    const outer = prod(node.shape.slice(0, axis));
    const inner = prod(node.shape.slice(axis + 1));
    const total = node.shape[axis]!;
    const out = allocInterp(node.dtype, node.shape);
    let offset = 0;
    for (const x of args) {
      const n = x.shape[axis]!;
      for (let o = 0; o < outer; o++) {
        for (let j = 0; j < n * inner; j++) out.data[(o * total + offset) * inner + j] = x.data[o * n * inner + j]!;
      }
      offset += n;
    }
    return out;
  },
  gather: (node, [x, idx]) => {
    const { axis, batchDims, site } = P(node);
    const { nB, nP, n, nQ, nI } = gatherDims(x!.shape, idx!.shape, axis, batchDims);
    const out = allocInterp(node.dtype, node.shape);
    let o = 0;
    for (let b = 0; b < nB; b++)
      for (let p = 0; p < nP; p++)
        for (let i = 0; i < nI; i++) {
          const j = idx!.data[b * nI + i]!;
          checkIndex('gather', j, n, node, site);
          const src = ((b * nP + p) * n + j) * nQ;
          for (let q = 0; q < nQ; q++) out.data[o++] = x!.data[src + q]!;
        }
    return out;
  },
  scatterAdd: (node, [upd, idx]) => {
    const { axis, batchDims, site } = P(node);
    const { nB, nP, n, nQ, nI } = gatherDims(node.shape, idx!.shape, axis, batchDims);
    const out = allocInterp(node.dtype, node.shape);
    let u = 0;
    for (let b = 0; b < nB; b++)
      for (let p = 0; p < nP; p++)
        for (let i = 0; i < nI; i++) {
          const j = idx!.data[b * nI + i]!;
          checkIndex('scatterAdd', j, n, node, site);
          const dst = ((b * nP + p) * n + j) * nQ;
          for (let q = 0; q < nQ; q++) out.data[dst + q] = wrap(node.dtype, out.data[dst + q]! + upd!.data[u++]!);
        }
    return out;
  },

  iota: (node) => {
    const { axis } = P(node);
    const stride = stridesOf(node.shape)[axis]!;
    const size = node.shape[axis]!;
    const out = allocInterp(node.dtype, node.shape);
    for (let i = 0; i < out.data.length; i++) out.data[i] = Math.floor(i / stride) % size;
    return out;
  },
  constant: (node) => {
    const out = allocInterp(node.dtype, node.shape);
    out.data.fill(P(node).value);
    return out;
  },
  literal: (node) => {
    const out = allocInterp(node.dtype, node.shape);
    const src = P(node).data;
    for (let i = 0; i < out.data.length; i++) out.data[i] = wrap(node.dtype, src[i]!);
    return out;
  },
  randomBits: (node, [key]) => {
    const { tag, offset } = P(node);
    const n = sizeOf(node.shape);
    const words = new Uint32Array(n + (n & 1));
    for (let c = 0; 2 * c < n; c++) threefry2x32Into(key!.data[0]!, key!.data[1]!, (offset + c) >>> 0, tag, words, 2 * c);
    return { dtype: 'u32', shape: node.shape, data: n & 1 ? words.slice(0, n) : words };
  },
  input: (node) => {
    throw new IndexError(`input "${P(node).name}" has no value bound`, { input: P(node).name });
  },
  stopGradient: (_node, [x]) => x!,
  customVjp: (_node, [x]) => x!,
};

// Keep the unary/binary kernels honest: the table above must route them to the scalar semantics.
for (const op of Object.keys(interpreterKernels) as Prim[]) {
  if ((isUnary(op) && interpreterKernels[op] !== elementwiseUnary) || (isBinary(op) && interpreterKernels[op] !== elementwiseBinary)) {
    throw new Error(`interpreter: ${op} must use the elementwise kernel`);
  }
}
