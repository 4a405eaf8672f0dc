import { parseArgs } from 'node:util';
import { PretextError } from '../util/errors.ts';
import type { Command } from './command.ts';
import { commands } from './registry.ts';

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((p, i) => argv[i] === p) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

function help(prefix: readonly string[] = []): string {
  const rows = commands
    .filter((c) => prefix.every((p, i) => c.path[i] === p))
    .map((c) => `  pretext ${c.path.join(' ').padEnd(18)} ${c.summary}`);
  return ['usage: pretext <command> [flags]   (pretext <command> --help for its flags)', '', ...rows].join('\n');
}

/** Runs the CLI; returns the process exit code. Errors of pretext's own are printed without a stack. */
export async function main(argv: readonly string[]): Promise<number> {
  const found = findCommand(argv);
  if (!found) {
    const words = argv.filter((a) => !a.startsWith('-'));
    // a group of subcommands (`pretext pcfg`) lists them; with --help that is what was asked for
    const group = words.length > 0 && commands.some((c) => words.every((w, i) => c.path[i] === w)) ? words : [];
    const asksHelp = argv.includes('--help') || argv.includes('-h');
    const wantsHelp = argv.length === 0 || argv[0] === 'help' || (asksHelp && (group.length > 0 || words.length === 0));
    const problem = group.length > 0 ? `pretext ${group.join(' ')}: give a subcommand` : `pretext: unknown command "${argv.join(' ')}"`;
    (wantsHelp ? console.log : console.error)((wantsHelp ? '' : `${problem}\n\n`) + help(group));
    return wantsHelp ? 0 : 2;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`pretext ${command.path.join(' ')} — ${command.summary}\n\n${command.usage}`);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: true });
    return (await command.run(values as Record<string, unknown>, positionals)) ?? 0;
  } catch (e) {
    if (e instanceof PretextError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`pretext ${command.path.join(' ')}: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}
