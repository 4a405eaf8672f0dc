import { UnknownLabelError } from './errors.ts';

/** What a downstream task predicts: one of named classes (label i is names[i]), or a real number. */
export type LabelSpace =
  | { readonly kind: 'classification'; readonly names: readonly string[] }
  | { readonly kind: 'regression' };

/** The class names (none for regression). */
export const classNames = (s: LabelSpace): readonly string[] => (s.kind === 'classification' ? s.names : []);

/** Outputs of the classifier: one per class, one for regression. */
export const outputCount = (s: LabelSpace): number => (s.kind === 'classification' ? s.names.length : 1);

const isNumber = (v: string): boolean => v.trim() !== '' && Number.isFinite(Number(v));

/**
 * The label space of a training file's label column, as Hugging Face's run_glue decides it:
 * regression when every label is a number and some are not integers; otherwise the distinct
 * labels, sorted (numerically when all are integers, else as strings). Empty labels are no class
 * (encodeLabels rejects them).
 */
export function labelSpaceOf(labels: readonly string[]): LabelSpace {
  const given = labels.filter((v) => v !== '');
  const numeric = given.every(isNumber);
  if (numeric && given.some((v) => !Number.isInteger(Number(v)))) return { kind: 'regression' };
  const distinct = [...new Set(given.map((v) => (numeric ? String(Number(v)) : v)))];
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { kind: 'classification', names: distinct };
}

/**
 * Class indices (or target values) of label strings. A label the space does not have, an empty
 * one or a non-number in a regression task is an UnknownLabelError naming the file and line.
 */
export function encodeLabels(labels: readonly string[], space: LabelSpace, where: { file: string; column: string; lines: readonly number[] }): Int32Array | Float32Array {
  const fail = (i: number, why: string) => {
    throw new UnknownLabelError(`${where.file}:${where.lines[i]}: ${why} (column "${where.column}")`, { file: where.file, line: where.lines[i], column: where.column, label: labels[i] });
  };
  if (space.kind === 'regression') {
    return Float32Array.from(labels, (v, i) => (isNumber(v) ? Number(v) : fail(i, `label ${JSON.stringify(v)} is not a number, and the task is a regression`)) as number);
  }
  const index = new Map(space.names.map((n, i) => [n, i]));
  const numeric = space.names.every(isNumber);
  return Int32Array.from(labels, (v, i) => {
    const k = index.get(numeric && isNumber(v) ? String(Number(v)) : v);
    return k ?? (fail(i, v === '' ? 'empty label' : `label ${JSON.stringify(v)} is not among the ${space.names.length} labels of the training file (${space.names.slice(0, 8).join(', ')}${space.names.length > 8 ? ', ...' : ''})`) as number);
  });
}
