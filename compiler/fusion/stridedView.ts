import type { Node } from '../ir/node.ts';
import { stridesOf } from '../ir/node.ts';
import type { PrimParams } from '../ir/primitives.ts';

/** A node read as an affine view of a materialised base: element offset + per-axis strides. */
export interface StridedView {
  readonly base: Node;
  readonly offset: number;
  readonly strides: readonly number[];
}

/** Ops that only re-index their input (no arithmetic), and can be read through as strides. */
export const isViewOp = (n: Node): boolean =>
  n.op === 'transpose' || n.op === 'reshape' || n.op === 'broadcast' || n.op === 'slice';

/**
 * Strides of `n` as a view of the first materialised node below a chain of view ops, or undefined
 * when some reshape in the chain cannot be expressed with strides (a merge of non-contiguous axes).
 */
export function stridedView(n: Node, isMaterialised: (n: Node) => boolean): StridedView | undefined {
  if (isMaterialised(n) || !isViewOp(n)) return { base: n, offset: 0, strides: stridesOf(n.shape) };
  const inner = stridedView(n.inputs[0]!, isMaterialised);
  if (!inner) return undefined;
  const x = n.inputs[0]!;
  switch (n.op) {
    case 'transpose': {
      const { perm } = n.params as PrimParams['transpose'];
      return { ...inner, strides: perm.map((p) => inner.strides[p]!) };
    }
    case 'broadcast': {
      const { dims } = n.params as PrimParams['broadcast'];
      const strides = n.shape.map(() => 0);
      dims.forEach((d, i) => (strides[d] = inner.strides[i]!));
      return { ...inner, strides };
    }
    case 'slice': {
      const { starts } = n.params as PrimParams['slice'];
      return { ...inner, offset: inner.offset + starts.reduce((s, st, i) => s + st * inner.strides[i]!, 0) };
    }
    case 'reshape': {
      const strides = reshapeStrides(x.shape, inner.strides, n.shape);
      return strides ? { ...inner, strides } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Strides for viewing (shape, strides) as newShape without copying, if possible (numpy's
 * no-copy reshape): dims are matched in groups of equal product; each old group must be
 * contiguous in memory, and the new dims of the group split its stride.
 */
export function reshapeStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | undefined {
  const old = shape.map((d, i) => ({ d, s: strides[i]! })).filter((x) => x.d !== 1);
  const out = new Array<number>(newShape.length).fill(0);
  let i = 0;
  let j = 0;
  const nz = newShape.map((d, k) => ({ d, k })).filter((x) => x.d !== 1);
  while (i < old.length && j < nz.length) {
    let po = old[i]!.d;
    let pn = nz[j]!.d;
    const i0 = i;
    const j0 = j;
    while (po !== pn) {
      if (po < pn) po *= old[++i]!.d;
      else pn *= nz[++j]!.d;
    }
    for (let k = i0; k < i; k++) if (old[k]!.s !== old[k + 1]!.s * old[k + 1]!.d) return undefined;
    let s = old[i]!.s;
    for (let k = j; k >= j0; k--) {
      out[nz[k]!.k] = s;
      s *= nz[k]!.d;
    }
    i++;
    j++;
  }
  // size-1 dims of the new shape: any stride works; use the next dim's span for tidiness
  return out;
}

/** Collapses a group of axes (in the given order) to one stride, if they are laid out contiguously. */
export function collapseStrides(sizes: readonly number[], strides: readonly number[]): number | undefined {
  const live = sizes.map((d, i) => ({ d, s: strides[i]! })).filter((x) => x.d !== 1);
  if (live.length === 0) return 0;
  for (let k = 0; k + 1 < live.length; k++) if (live[k]!.s !== live[k + 1]!.s * live[k + 1]!.d) return undefined;
  return live[live.length - 1]!.s;
}
