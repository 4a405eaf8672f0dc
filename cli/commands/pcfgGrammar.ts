import * as t from 'io-ts';
import { binaryRuleCount, emissionRuleCount, generateGrammar, unreachableNonterminals, writeGrammarFile } from '../../corpora/pcfg/index.ts';
import { key } from '../../prng/index.ts';
import type { Command } from '../command.ts';
import { decodeOrThrow, IntFromString } from '../options.ts';

const Flags = t.type({ seed: IntFromString, out: t.string });

/** `pretext pcfg grammar`: writes a random grammar with the study's shape as a rule file. */
export const pcfgGrammarCommand: Command = {
  path: ['pcfg', 'grammar'],
  summary: 'write a random grammar with the study\'s shape to a rule file',
  options: { seed: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  usage: `  --seed N             grammar seed (the same grammar as --grammar-seed N in the other pcfg commands)
  --out FILE           rule file to write (atomically)
  --json               print a JSON summary (unreachable: the nonterminals no derivation reaches)
Like the study's file, a generated grammar's start pairs often miss an A1 nonterminal; reading such a
file back with --rules then needs --allow-unreachable (--grammar-seed N needs nothing).`,
  run(values) {
    const flags = decodeOrThrow(Flags, values, 'flags');
    const g = generateGrammar(key(flags.seed));
    writeGrammarFile(flags.out, g);
    const summary = {
      out: flags.out,
      seed: flags.seed,
      nonterminals: g.nonterminals.length,
      terminals: g.terminals.length,
      startRules: g.startChildren.length,
      binaryRules: binaryRuleCount(g),
      terminalRules: emissionRuleCount(g),
      unreachable: unreachableNonterminals(g),
    };
    if (values.json === true) console.log(JSON.stringify(summary));
    else {
      console.log(
        `wrote ${flags.out}: ${summary.nonterminals} nonterminals, ${summary.terminals} words, ` +
          `${summary.binaryRules} binary and ${summary.terminalRules} terminal rules (seed ${flags.seed})` +
          (summary.unreachable.length ? `; unreachable: ${summary.unreachable.join(' ')} (read it back with --allow-unreachable)` : ''),
      );
    }
    return 0;
  },
};
