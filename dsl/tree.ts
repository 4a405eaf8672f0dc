import { PretextError } from '../util/errors.ts';

/**
 * Pytrees: nested plain objects and arrays whose leaves are tensors (or host tensors, specs...).
 * Parameters, gradients, optimizer state and batches are all pytrees. Object keys are visited in
 * sorted order, so two trees with the same keys flatten the same way whatever their insertion order.
 */
export type Tree<L> = L | readonly Tree<L>[] | { readonly [key: string]: Tree<L> };

/** The same structure with every leaf of type From replaced by To. */
export type MapLeaves<T, From, To> = T extends From
  ? To
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: MapLeaves<T[K], From, To> }
    : T extends object
      ? { -readonly [K in keyof T]: MapLeaves<T[K], From, To> }
      : T;

export type TreeDef =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'array'; readonly children: readonly TreeDef[] }
  | { readonly kind: 'object'; readonly keys: readonly string[]; readonly children: readonly TreeDef[] };

export class TreeError extends PretextError {}

export type IsLeaf = (x: unknown) => boolean;

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null);

/** Leaves in a fixed order, their paths ("a.b[2]"), and the structure to rebuild the tree. */
export function flatten<L>(tree: unknown, isLeaf: IsLeaf): { leaves: L[]; paths: string[]; def: TreeDef } {
  const leaves: L[] = [];
  const paths: string[] = [];
  const walk = (t: unknown, path: string): TreeDef => {
    if (isLeaf(t)) {
      leaves.push(t as L);
      paths.push(path);
      return { kind: 'leaf' };
    }
    if (Array.isArray(t)) return { kind: 'array', children: t.map((c, i) => walk(c, `${path}[${i}]`)) };
    if (isPlainObject(t)) {
      const keys = Object.keys(t).sort();
      return { kind: 'object', keys, children: keys.map((k) => walk(t[k], path ? `${path}.${k}` : k)) };
    }
    throw new TreeError(`pytree: unsupported value at "${path || '(root)'}": ${t === null ? 'null' : typeof t}`, { path });
  };
  const def = walk(tree, '');
  return { leaves, paths, def };
}

export function unflatten<L>(def: TreeDef, leaves: readonly L[]): unknown {
  let i = 0;
  const build = (d: TreeDef): unknown => {
    if (d.kind === 'leaf') {
      if (i >= leaves.length) throw new TreeError('pytree: fewer leaves than the structure needs');
      return leaves[i++];
    }
    if (d.kind === 'array') return d.children.map(build);
    const out: Record<string, unknown> = {};
    d.keys.forEach((k, j) => (out[k] = build(d.children[j]!)));
    return out;
  };
  const out = build(def);
  if (i !== leaves.length) throw new TreeError(`pytree: ${leaves.length} leaves for a structure of ${i}`);
  return out;
}

/** `tree` with its leaves (in flatten order) replaced by `leaves`: the same structure, typed as `tree` (the leaves keep their kind). */
export function withLeaves<T, L>(tree: T, isLeaf: IsLeaf, leaves: readonly L[]): T {
  return unflatten(flatten<L>(tree, isLeaf).def, leaves) as T;
}

export function sameStructure(a: TreeDef, b: TreeDef): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'leaf') return true;
  if (a.kind === 'array') return b.kind === 'array' && a.children.length === b.children.length && a.children.every((c, i) => sameStructure(c, b.children[i]!));
  return (
    b.kind === 'object' &&
    a.keys.length === b.keys.length &&
    a.keys.every((k, i) => k === b.keys[i]) &&
    a.children.every((c, i) => sameStructure(c, b.children[i]!))
  );
}

/**
 * Maps leaves of one or more trees of the same structure: treeMap(isLeaf, f, params, grads, ...).
 * f receives the leaves at the same position and the leaf's path.
 */
export function treeMap<R>(isLeaf: IsLeaf, f: (leaves: readonly unknown[], path: string) => R, ...trees: readonly unknown[]): unknown {
  const flats = trees.map((t) => flatten<unknown>(t, isLeaf));
  const first = flats[0]!;
  flats.forEach((fl, i) => {
    if (!sameStructure(first.def, fl.def)) throw new TreeError(`treeMap: tree ${i} has a different structure from tree 0`);
  });
  const mapped = first.leaves.map((_, j) => f(flats.map((fl) => fl.leaves[j]), first.paths[j]!));
  return unflatten(first.def, mapped);
}
