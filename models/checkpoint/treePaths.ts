import type { TreeDef } from '../../dsl/tree.ts';
import { TensorNameError } from './errors.ts';

/**
 * Pytree paths as flatten() writes them ("encoder.layers[2].attention.wq") parsed back into
 * segments, and tree structures rebuilt from a set of paths. Object keys must be non-empty and
 * free of ".", "[" and "]" so that a path names exactly one leaf.
 */
export type PathSegment = string | number;

const KEY = /^[^.[\]]+$/;

/** The segments of a path: object keys as strings, array indices as numbers. */
export function parsePath(path: string, where: string): PathSegment[] {
  const bad = () => new TensorNameError(`${where}: "${path}" is not a tree path (key.key[index]...)`, { path, where });
  const out: PathSegment[] = [];
  let at = 0;
  while (at < path.length) {
    if (path[at] === '[') {
      const close = path.indexOf(']', at);
      const digits = close < 0 ? '' : path.slice(at + 1, close);
      if (!/^(0|[1-9]\d*)$/.test(digits)) throw bad();
      out.push(Number(digits));
      at = close + 1;
      continue;
    }
    if (out.length > 0) {
      if (path[at] !== '.') throw bad();
      at++;
    }
    const m = /^[^.[\]]+/.exec(path.slice(at));
    if (!m) throw bad();
    out.push(m[0]);
    at += m[0].length;
  }
  if (out.length === 0) throw bad();
  return out;
}

/** Checks that every object key on a path can round-trip through parsePath. */
export function checkStorableKey(key: string, path: string, where: string): void {
  if (!KEY.test(key)) {
    throw new TensorNameError(`${where}: tree key ${JSON.stringify(key)} at "${path}" cannot be stored (keys must be non-empty without ".", "[" or "]")`, {
      path, key, where,
    });
  }
}

/** The leaf paths of a structure, in flatten order. */
export function pathsOfDef(def: TreeDef, prefix = ''): string[] {
  if (def.kind === 'leaf') return [prefix];
  if (def.kind === 'array') return def.children.flatMap((c, i) => pathsOfDef(c, `${prefix}[${i}]`));
  return def.children.flatMap((c, i) => pathsOfDef(c, prefix ? `${prefix}.${def.keys[i]}` : def.keys[i]!));
}

type Node = { leaf: true } | { keys: Map<PathSegment, Node> };

/**
 * The structure whose leaves are exactly `paths` (objects with sorted keys, arrays with indices
 * 0..n-1). Throws when a path is both a leaf and a container, or an array has holes.
 */
export function defFromPaths(paths: readonly string[], where: string): TreeDef {
  const root: Node = { keys: new Map() };
  for (const path of paths) {
    const segs = parsePath(path, where);
    let node: Node = root;
    segs.forEach((s, i) => {
      if ('leaf' in node) throw new TensorNameError(`${where}: "${path}" lies under a leaf`, { path, where });
      const last = i === segs.length - 1;
      let child = node.keys.get(s);
      if (!child) {
        child = last ? { leaf: true } : { keys: new Map() };
        node.keys.set(s, child);
      } else if (last || 'leaf' in child) {
        throw new TensorNameError(`${where}: "${path}" is given twice or is both a leaf and a container`, { path, where });
      }
      node = child;
    });
  }
  const build = (node: Node, at: string): TreeDef => {
    if ('leaf' in node) return { kind: 'leaf' };
    const keys = [...node.keys.keys()];
    if (keys.length > 0 && keys.every((k) => typeof k === 'number')) {
      const n = keys.length;
      const idx = (keys as number[]).sort((a, b) => a - b);
      if (idx[n - 1] !== n - 1) throw new TensorNameError(`${where}: array "${at || '(root)'}" has indices [${idx.join(', ')}], not 0..${n - 1}`, { path: at, where });
      return { kind: 'array', children: idx.map((i) => build(node.keys.get(i)!, `${at}[${i}]`)) };
    }
    if (keys.some((k) => typeof k === 'number')) throw new TensorNameError(`${where}: "${at || '(root)'}" mixes array indices and keys`, { path: at, where });
    const sorted = (keys as string[]).sort();
    return { kind: 'object', keys: sorted, children: sorted.map((k) => build(node.keys.get(k)!, at ? `${at}.${k}` : k)) };
  };
  return build(root, '');
}
