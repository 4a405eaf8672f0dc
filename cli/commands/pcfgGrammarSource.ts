import * as t from 'io-ts';
import { generateGrammar, readGrammarFile, type Grammar } from '../../corpora/pcfg/index.ts';
import { key } from '../../prng/index.ts';
import { CliError, IntFromString } from '../options.ts';

/** The flags that choose a grammar: a rule file, or a generated grammar's seed. */
export const grammarSourceOptions = {
  rules: { type: 'string' },
  'grammar-seed': { type: 'string' },
} as const;

export const grammarSourceUsage = `  --rules FILE         rule file (LHS RHS prob / LHS RHS1 RHS2 prob per line)
  --grammar-seed N     instead of --rules: a random grammar with the study's shape, from seed N`;

export const GrammarSourceFlags = t.partial({ rules: t.string, 'grammar-seed': IntFromString });
export type GrammarSourceFlags = t.TypeOf<typeof GrammarSourceFlags>;

/** Loads the grammar the flags name; exactly one of --rules and --grammar-seed must be given. */
export function loadGrammarSource(flags: GrammarSourceFlags): { grammar: Grammar; source: string } {
  const rules = flags.rules;
  const seed = flags['grammar-seed'];
  if ((rules === undefined) === (seed === undefined)) {
    throw new CliError('give exactly one of --rules FILE and --grammar-seed N', { flags: ['rules', 'grammar-seed'] });
  }
  if (rules !== undefined) return { grammar: readGrammarFile(rules), source: rules };
  return { grammar: generateGrammar(key(seed!)), source: `generated (grammar seed ${seed})` };
}

/** A flag that must be at least 1. */
export function requirePositive(value: number, flag: string): number {
  if (value < 1) throw new CliError(`--${flag} must be at least 1, got ${value}`, { flag, value });
  return value;
}
