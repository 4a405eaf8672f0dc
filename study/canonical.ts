import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level (arrays keep their order), so equal configs written
 * in any key order give the same text. `undefined` members are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

/** A short stable hash of a value's canonical JSON (hex, 12 digits: 48 bits). */
export const contentHash = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 12);
