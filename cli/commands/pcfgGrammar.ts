import * as t from 'io-ts';
import { binaryRuleCount, emissionRuleCount, generateGrammar, writeGrammarFile } from '../../corpora/pcfg/index.ts';
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
  --json               print a JSON summary`,
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
    };
    if (values.json === true) console.log(JSON.stringify(summary));
    else {
      console.log(
        `wrote ${flags.out}: ${summary.nonterminals} nonterminals, ${summary.terminals} words, ` +
          `${summary.binaryRules} binary and ${summary.terminalRules} terminal rules (seed ${flags.seed})`,
      );
    }
    return 0;
  },
};
