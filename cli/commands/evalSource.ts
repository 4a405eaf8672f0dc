import type { Grammar } from '../../corpora/pcfg/index.ts';
import { checkpointGrammar } from '../../eval/index.ts';
import type { GrammarRef } from '../../models/checkpoint/index.ts';
import type { Command } from '../command.ts';
import { CliError, decodeOrThrow } from '../options.ts';
import { GrammarSourceFlags, grammarSourceOptions, loadGrammarSource } from './pcfgGrammarSource.ts';

/** Flags shared by the `pretext eval` commands: the checkpoint and the grammar. */
export const evalSourceOptions = {
  checkpoint: { type: 'string' },
  ...grammarSourceOptions,
} as const satisfies Command['options'];

export const evalSourceUsage = `  --checkpoint DIR     a checkpoint directory, or a run directory (its latest checkpoint)
  --rules FILE         rule file of the grammar
  --allow-unreachable  accept nonterminals of the rule file that no derivation reaches (the study's has A1_9)
  --grammar-seed N     instead of --rules: the generated grammar of seed N
                       (neither: the grammar named in the checkpoint's config.json, pretext.grammar)`;

/** The grammar of an evaluation: from --rules / --grammar-seed, else the one the checkpoint's config names. */
export function evalGrammar(values: Record<string, unknown>, model: { readonly dir: string; readonly grammar?: GrammarRef | undefined }): { grammar: Grammar; source: string } {
  const flags = decodeOrThrow(GrammarSourceFlags, values, 'flags');
  if (flags.rules !== undefined || flags['grammar-seed'] !== undefined) return loadGrammarSource(flags);
  if (model.grammar) return checkpointGrammar(model.grammar, model.dir);
  throw new CliError(`${model.dir}: its config.json names no grammar (pretext.grammar); give --rules FILE or --grammar-seed N`, { flags: ['rules', 'grammar-seed'] });
}

/** A number for people: fixed digits, or as is when not finite. */
export const fmt = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));
