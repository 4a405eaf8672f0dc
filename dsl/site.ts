import { workingDirectory } from '../util/env.ts';

// Browser-safe (no node:path/url): paths are compared as URL paths, "/"-separated. In Node on
// Windows the frames are file:///C:/... URLs or C:\... paths; both are normalised to "/" below.
const toPath = (f: string): string => (f.startsWith('file://') ? decodeURIComponent(new URL(f).pathname) : f).replaceAll('\\', '/');
const ROOT = toPath(new URL('..', import.meta.url).href).replace(/\/$/, '');
const INTERNAL = ['dsl', 'compiler', 'util'].map((d) => `${ROOT}/${d}/`);

/**
 * "file:line:col" of the first stack frame outside pretext's dsl/, compiler/ and util/: the line
 * of user (or model) code that called the failing op, relative to the working directory when it
 * is under it. Computed only when an error is being reported.
 */
export function callSite(): string | undefined {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const line of stack) {
    const m = /\(?((?:file:\/\/|https?:\/\/)?\/?[^()\s]+?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const file = toPath(m[1]!);
    if (INTERNAL.some((p) => file.includes(p)) || file.includes('/node_modules/')) continue;
    const cwd = workingDirectory()?.replaceAll('\\', '/');
    return `${cwd && file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
