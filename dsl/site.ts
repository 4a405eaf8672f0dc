import { dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const INTERNAL = [`${ROOT}${sep}dsl${sep}`, `${ROOT}${sep}compiler${sep}`, `${ROOT}${sep}util${sep}`];

/**
 * "file:line:col" of the first stack frame outside pretext's dsl/ and compiler/: the line of user
 * (or model) code that called the failing op. Computed only when an error is being reported.
 */
export function callSite(): string | undefined {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const line of stack) {
    const m = /\(?((?:file:\/\/)?\/[^()]+?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (INTERNAL.some((p) => file.startsWith(p)) || file.includes(`${sep}node_modules${sep}`)) continue;
    return `${relative(process.cwd(), file)}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
