import * as t from 'io-ts';
import { generateGrammar, rawWeightGrammar, readGrammarFile, type Grammar } from '../../corpora/pcfg/index.ts';
import { key } from '../../prng/index.ts';
import { CliError, IntFromString } from '../options.ts';

/** The flags that choose a grammar: a rule file, or a generated grammar's seed. */
export const grammarSourceOptions = {
  rules: { type: 'string' },
  'grammar-seed': { type: 'string' },
  'allow-unreachable': { type: 'boolean' },
} as const;

export const grammarSourceUsage = `  --rules FILE         rule file (LHS RHS prob / LHS RHS1 RHS2 prob per line); a nonterminal that no
                       derivation reaches is an error unless --allow-unreachable
  --allow-unreachable  accept such nonterminals (the study's rule_deep_mlm.txt has one, A1_9; they still
                       compete in task B/C labels, as in the original code)
  --grammar-seed N     instead of --rules: a random grammar with the study's shape, from seed N`;

export const GrammarSourceFlags = t.partial({ rules: t.string, 'grammar-seed': IntFromString, 'allow-unreachable': t.boolean });
export type GrammarSourceFlags = t.TypeOf<typeof GrammarSourceFlags>;

/**
 * Loads the grammar the flags name; exactly one of --rules and --grammar-seed must be given. A
 * rule file's unreachable nonterminals are an error unless --allow-unreachable (a generated
 * grammar keeps them: like the study's file, its start pairs often miss an A1 nonterminal).
 */
export function loadGrammarSource(flags: GrammarSourceFlags): { grammar: Grammar; source: string } {
  const rules = flags.rules;
  const seed = flags['grammar-seed'];
  if ((rules === undefined) === (seed === undefined)) {
    throw new CliError('give exactly one of --rules FILE and --grammar-seed N', { flags: ['rules', 'grammar-seed'] });
  }
  if (rules !== undefined) return { grammar: readGrammarFile(rules, { unreachable: flags['allow-unreachable'] ? 'allow' : 'error' }), source: rules };
  return { grammar: generateGrammar(key(seed!)), source: `generated (grammar seed ${seed})` };
}

/** The flag that runs the charts on the rule file's raw weights (the original code's way). */
export const chartWeightsOptions = { 'raw-weights': { type: 'boolean' } } as const;

export const chartWeightsUsage = `  --raw-weights        run the inside/outside charts on the rule file's weights as written (the original
                       code's way), not normalised per left-hand side (on the study's file ln P(x) moves by up to 1.5e-3)`;

/** The grammar the charts use: the grammar itself, or its raw-weight view under --raw-weights. */
export function chartGrammar(grammar: Grammar, values: Record<string, unknown>): Grammar {
  return values['raw-weights'] === true ? rawWeightGrammar(grammar) : grammar;
}

/** A flag that must be at least 1. */
export function requirePositive(value: number, flag: string): number {
  if (value < 1) throw new CliError(`--${flag} must be at least 1, got ${value}`, { flag, value });
  return value;
}
