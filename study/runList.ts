import { StudyError } from './errors.ts';

/**
 * A run as a study file writes it: a (partial) run config whose keys may be dotted paths
 * ('train.lr': 1e-3 sets { train: { lr: 1e-3 } }). `grid`, `zip` and `concat` build lists of them.
 */
export type RunConfig = Readonly<Record<string, unknown>>;

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype;

/** `b` over `a`, recursively for plain objects (arrays and other values are replaced whole). */
export function deepMerge(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

/** Expands dotted keys into nested objects: { 'train.lr': 1, train: { steps: 2 } } -> { train: { lr: 1, steps: 2 } }. */
export function expandDotted(config: RunConfig): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    const value = isPlainObject(v) ? expandDotted(v) : v;
    const parts = k.split('.');
    if (parts.some((p) => p === '')) throw new StudyError(`run config key "${k}" has an empty part`, { key: k });
    const nested = parts.reduceRight<unknown>((inner, part) => ({ [part]: inner }), value) as Record<string, unknown>;
    out = deepMerge(out, nested);
  }
  return out;
}

/** Every combination of the values (the first key varies slowest, as nested loops in key order). */
export function grid(axes: Readonly<Record<string, readonly unknown[]>>): RunConfig[] {
  let runs: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    if (!Array.isArray(values) || values.length === 0) throw new StudyError(`grid: "${key}" must be a non-empty array of values`, { key });
    runs = runs.flatMap((r) => values.map((v) => ({ ...r, [key]: v })));
  }
  return runs;
}

/** The i-th values of every key together (all arrays the same length). */
export function zip(axes: Readonly<Record<string, readonly unknown[]>>): RunConfig[] {
  const entries = Object.entries(axes);
  const n = entries[0]?.[1].length ?? 0;
  for (const [key, values] of entries) {
    if (!Array.isArray(values) || values.length !== n) throw new StudyError(`zip: "${key}" has ${Array.isArray(values) ? values.length : 'no'} values, "${entries[0]![0]}" has ${n}`, { key });
  }
  return Array.from({ length: n }, (_, i) => Object.fromEntries(entries.map(([k, v]) => [k, v[i]])));
}

/** The runs of every list, in order. */
export const concat = (...lists: readonly (readonly RunConfig[])[]): RunConfig[] => lists.flat();

/** Every combination of a run from `a` with a run from `b` (b's keys win). */
export const product = (a: readonly RunConfig[], b: readonly RunConfig[]): RunConfig[] => a.flatMap((x) => b.map((y) => ({ ...x, ...y })));
