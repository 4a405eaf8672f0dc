import type { ParseArgsConfig } from 'node:util';

/** One `pretext` subcommand, e.g. path ['pcfg', 'generate'] for `pretext pcfg generate`. */
export interface Command {
  readonly path: readonly string[];
  readonly summary: string;
  /** Flag definitions for node:util parseArgs (strict: an unknown flag is an error). */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Extra help text: the flags and what they mean. */
  readonly usage: string;
  /** Runs with the parsed flag values; resolves to the exit code (0 when omitted). */
  run(values: Record<string, unknown>, positionals: readonly string[]): Promise<number | void> | number | void;
}
