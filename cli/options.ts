import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PretextError } from '../util/errors.ts';

/** A bad flag, config key or value on the command line; the message names it. */
export class CliError extends PretextError {}

/** A string flag that must be a number (flags arrive as strings from parseArgs). */
export const NumberFromString = new t.Type<number, string, unknown>(
  'number',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (typeof u === 'number') return Number.isFinite(u) ? t.success(u) : t.failure(u, c);
    if (typeof u !== 'string' || u.trim() === '') return t.failure(u, c);
    const n = Number(u);
    return Number.isFinite(n) ? t.success(n) : t.failure(u, c);
  },
  String,
);

/** A non-negative integer given as a flag string or a JSON number. */
export const IntFromString = new t.Type<number, string, unknown>(
  'integer',
  (u): u is number => Number.isInteger(u),
  (u, c) => {
    const r = NumberFromString.validate(u, c);
    if (isLeft(r)) return r;
    return Number.isInteger(r.right) && r.right >= 0 ? t.success(r.right) : t.failure(u, c);
  },
  String,
);

/** Path of a failed io-ts decode as `a.b[2].c`. */
export function errorPath(e: t.ValidationError): string {
  return e.context
    .slice(1)
    .map((c) => c.key)
    .filter((k) => k !== '')
    .join('.');
}

/**
 * Decodes parsed flags (or a config object) with an io-ts codec. Throws a CliError that names
 * every offending field, the value given and the type expected.
 */
export function decodeOrThrow<A, O>(codec: t.Type<A, O, unknown>, value: unknown, where: string): A {
  const result = codec.decode(value);
  if (!isLeft(result)) return result.right;
  const problems = result.left.map((e) => {
    const field = errorPath(e) || '(root)';
    const expected = e.context[e.context.length - 1]?.type.name ?? 'valid value';
    return `${field}: got ${JSON.stringify(e.value)}, expected ${expected}`;
  });
  throw new CliError(`${where}: invalid ${problems.length > 1 ? 'values' : 'value'}\n  ${[...new Set(problems)].join('\n  ')}`, {
    where,
    problems,
  });
}
