import { PretextError } from '../util/errors.ts';

/** One `npm run bench -- NAME [flags]` workload. */
export interface Benchmark {
  readonly name: string;
  readonly summary: string;
  /**
   * Runs with the remaining argv; returns one result object. With --json the runner prints it as
   * a single JSON line; otherwise the benchmark may print progress and a readable summary itself.
   */
  run(argv: readonly string[], opts: { json: boolean }): Promise<Record<string, unknown>>;
}

/** A bad flag value, a missing results folder or missing peers: reported in one line, exit code 2. */
export class BenchInputError extends PretextError {}
