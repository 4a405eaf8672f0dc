/**
 * An environment variable, or undefined where there is no process environment (a browser page or
 * worker): library code reads its switches (PRETEXT_SIMD, PRETEXT_QUIET...) through this, so it
 * loads in browsers too.
 */
export function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/** The working directory in Node; undefined in a browser. */
export function workingDirectory(): string | undefined {
  return (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.();
}
