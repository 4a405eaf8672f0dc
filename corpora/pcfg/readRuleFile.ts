import { readFileSync } from 'node:fs';
import { buildGrammar, type BuildGrammarOptions } from './buildGrammar.ts';
import type { Grammar, RuleSpec } from './grammar.ts';
import { GrammarReadError, MalformedRuleError } from './grammarErrors.ts';

/** A decimal number as Python's float() reads it in the rule files (no hex, no Infinity/NaN). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads the lines of a rule file (spec 5b1): `LHS RHS prob` or `LHS RHS1 RHS2 prob`, fields
 * separated by whitespace, blank lines ignored. Line numbers are 1-based.
 */
export function parseRuleLines(text: string, file = '<rules>'): RuleSpec[] {
  const rules: RuleSpec[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const line = i + 1;
    const fields = raw.split(/\s+/);
    if (fields.length !== 3 && fields.length !== 4) {
      throw new MalformedRuleError(
        `${file}:${line}: expected "LHS RHS prob" or "LHS RHS1 RHS2 prob", got ${fields.length} field${fields.length === 1 ? '' : 's'}: "${raw}"`,
        { file, line, text: raw },
      );
    }
    const probText = fields[fields.length - 1]!;
    const weight = Number(probText);
    if (!DECIMAL.test(probText) || !Number.isFinite(weight)) {
      throw new MalformedRuleError(`${file}:${line}: probability "${probText}" is not a number`, { file, line, value: probText });
    }
    if (weight < 0) {
      throw new MalformedRuleError(`${file}:${line}: probability ${probText} is negative`, { file, line, value: probText });
    }
    rules.push({ lhs: fields[0]!, rhs: fields.slice(1, -1), weight, line });
  }
  return rules;
}

/** Parses the text of a rule file into a checked, normalised grammar. */
export function parseRuleText(text: string, options: BuildGrammarOptions = {}): Grammar {
  return buildGrammar(parseRuleLines(text, options.file), options);
}

/** Reads and parses a rule file. */
export function readGrammarFile(path: string, options: Omit<BuildGrammarOptions, 'file'> = {}): Grammar {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new GrammarReadError(`${path}: cannot read the rule file (${(e as Error).message})`, { file: path });
  }
  return parseRuleText(text, { ...options, file: path });
}
