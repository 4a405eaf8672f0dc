import { writeFileAtomic } from '../../util/atomicWrite.ts';
import type { Grammar } from './grammar.ts';

/**
 * Writes a grammar in the rule-file format (spec 5b1): the start rules first, then each
 * nonterminal in id order with its binary rules and then its terminal rules. Weights are the
 * merged weights, printed as the shortest decimal that reads back to the same double, so
 * `parseRuleText(formatRuleText(g))` equals `g`.
 */
export function formatRuleText(g: Grammar): string {
  const out: string[] = [];
  for (let k = 0; k < g.startChildren.length; k++) {
    out.push(`${g.start} ${g.nonterminals[g.startChildren[k]!]} ${g.startWeights[k]}`);
  }
  for (let x = 0; x < g.nonterminals.length; x++) {
    const lhs = g.nonterminals[x]!;
    for (let r = g.binaryOffsets[x]!; r < g.binaryOffsets[x + 1]!; r++) {
      out.push(`${lhs} ${g.nonterminals[g.binaryLeft[r]!]} ${g.nonterminals[g.binaryRight[r]!]} ${g.binaryWeights[r]}`);
    }
    for (let r = g.emissionOffsets[x]!; r < g.emissionOffsets[x + 1]!; r++) {
      out.push(`${lhs} ${g.terminals[g.emissionTerminal[r]!]} ${g.emissionWeights[r]}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Writes a grammar to a rule file (atomically). */
export function writeGrammarFile(path: string, g: Grammar): void {
  writeFileAtomic(path, formatRuleText(g));
}
