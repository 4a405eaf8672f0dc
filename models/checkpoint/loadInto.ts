import { HostTensor, TensorSpec } from '../../dsl/host.ts';
import type { MapLeaves } from '../../dsl/tree.ts';
import { flatten, unflatten } from '../../dsl/tree.ts';
import { MissingTensorError, TensorDTypeError, TensorShapeError, UnexpectedTensorError } from './errors.ts';

/** Where a loaded tree came from, for error messages. */
export interface LoadSource {
  /** The file (or a description) the tree was read from. */
  readonly file: string;
  /** Stored tensor name of each leaf path, when it differs from the path (HF names, prefixes). */
  readonly names?: ReadonlyMap<string, string>;
}

const isExpectedLeaf = (x: unknown): x is HostTensor | TensorSpec => x instanceof HostTensor || x instanceof TensorSpec;
const isHost = (x: unknown): x is HostTensor => x instanceof HostTensor;

const list = (xs: readonly string[]): string => (xs.length <= 5 ? xs.join(', ') : `${xs.slice(0, 5).join(', ')} and ${xs.length - 5} more`);

/**
 * Restores a loaded tree against the structure the caller expects (a tree of HostTensor or
 * TensorSpec leaves, e.g. freshly initialised parameters): the same leaf paths, and for each leaf
 * the same shape and dtype. The result has the expected structure and axis names, with the loaded
 * data. Errors name the file, the stored tensor name and the path: MissingTensorError,
 * UnexpectedTensorError, TensorShapeError, TensorDTypeError.
 */
export function loadInto<E>(expected: E, actual: unknown, source: LoadSource): MapLeaves<E, TensorSpec, HostTensor> {
  const exp = flatten<HostTensor | TensorSpec>(expected, isExpectedLeaf);
  const act = flatten<HostTensor>(actual ?? {}, isHost);
  const file = source.file;
  const nameOf = (path: string): string => source.names?.get(path) ?? path;
  const label = (path: string): string => (nameOf(path) === path ? `"${path}"` : `"${nameOf(path)}" (${path})`);
  const byPath = new Map(act.paths.map((p, i) => [p, act.leaves[i]!]));
  const missing = exp.paths.filter((p) => !byPath.has(p));
  if (missing.length > 0) {
    throw new MissingTensorError(`${file}: missing tensor${missing.length > 1 ? 's' : ''} ${list(missing.map(label))}`, {
      file, tensor: nameOf(missing[0]!), path: missing[0], missing: missing.map(nameOf),
    });
  }
  const wanted = new Set(exp.paths);
  const extra = act.paths.filter((p) => !wanted.has(p));
  if (extra.length > 0) {
    throw new UnexpectedTensorError(`${file}: unexpected tensor${extra.length > 1 ? 's' : ''} ${list(extra.map(label))} (not in the expected structure)`, {
      file, tensor: nameOf(extra[0]!), path: extra[0], extra: extra.map(nameOf),
    });
  }
  const leaves = exp.leaves.map((want, i) => {
    const path = exp.paths[i]!;
    const got = byPath.get(path)!;
    if (got.dtype !== want.dtype) {
      throw new TensorDTypeError(`${file}: tensor ${label(path)} is ${got.dtype}, expected ${want.dtype}`, {
        file, tensor: nameOf(path), path, got: got.dtype, expected: want.dtype,
      });
    }
    if (got.shape.length !== want.shape.length || got.shape.some((d, j) => d !== want.shape[j])) {
      throw new TensorShapeError(`${file}: tensor ${label(path)} has shape [${got.shape.join(', ')}], expected [${want.shape.join(', ')}] (${want.axes.join(', ')})`, {
        file, tensor: nameOf(path), path, got: got.shape, expected: want.shape,
      });
    }
    return new HostTensor(want.axes, want.shape, want.dtype, got.data);
  });
  return unflatten(exp.def, leaves) as MapLeaves<E, TensorSpec, HostTensor>;
}
