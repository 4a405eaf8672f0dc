import * as t from 'io-ts';
import { binaryRuleCount, corpusStats, emissionRuleCount, sampleSentences, type TaskStats } from '../../corpora/pcfg/index.ts';
import { key } from '../../prng/index.ts';
import type { Command } from '../command.ts';
import { decodeOrThrow, IntFromString } from '../options.ts';
import {
  chartGrammar, chartWeightsOptions, chartWeightsUsage, GrammarSourceFlags, grammarSourceOptions, grammarSourceUsage, loadGrammarSource,
  requirePositive,
} from './pcfgGrammarSource.ts';

const Flags = t.type({ sentences: IntFromString, seed: IntFromString });

function taskLine(name: string, s: TaskStats): string {
  return `task ${name}: ${s.classes} classes occur; majority ${s.majorityLabel} ${(100 * s.majority).toFixed(1)}%`;
}

/**
 * `pretext pcfg stats`: samples sentences and reports the grammar's statistics: lengths, the
 * optimal single-mask MLM loss (with its standard error) and the downstream label distributions.
 */
export const pcfgStatsCommand: Command = {
  path: ['pcfg', 'stats'],
  summary: 'sample a PCFG: lengths, optimal MLM loss, task label statistics',
  options: {
    ...grammarSourceOptions,
    ...chartWeightsOptions,
    sentences: { type: 'string', default: '1500' },
    seed: { type: 'string', default: '0' },
    json: { type: 'boolean' },
  },
  usage: `${grammarSourceUsage}
  --sentences N        sentences to sample (default 1500; lengths 1..31 as in the study)
  --seed N             sampling seed (default 0)
${chartWeightsUsage}
  --json               print one JSON object: optimalLoss (nats/position, all lengths), optimalLossStdErr,
                       downstreamOptimalLoss, downstreamOptimalLossStdErr, downstreamPositions (the sentences
                       with 4 < length < 32, which the study's loss script scores), weights (normalised | raw),
                       meanLength, lengthHistogram, taskA/taskB/taskC {sentences, classes, majority, majorityLabel, ...}
Task statistics use the sampled sentences with 4 < length < 32 (the downstream filter).`,
  run(values) {
    const flags = decodeOrThrow(Flags, values, 'flags');
    requirePositive(flags.sentences, 'sentences');
    const { grammar, source } = loadGrammarSource(decodeOrThrow(GrammarSourceFlags, values, 'flags'));
    const stats = corpusStats(chartGrammar(grammar, values), sampleSentences(grammar, key(flags.seed), flags.sentences));
    const { tasks, ...rest } = stats;
    const result = {
      grammar: {
        source,
        nonterminals: grammar.nonterminals.length,
        terminals: grammar.terminals.length,
        startRules: grammar.startChildren.length,
        binaryRules: binaryRuleCount(grammar),
        terminalRules: emissionRuleCount(grammar),
      },
      seed: flags.seed,
      weights: values['raw-weights'] === true ? 'raw' : 'normalised',
      ...rest,
      taskA: tasks.A,
      taskB: tasks.B,
      taskC: tasks.C,
    };
    if (values.json === true) {
      console.log(JSON.stringify(result));
      return 0;
    }
    const g = result.grammar;
    console.log(
      [
        `grammar: ${source} — ${g.nonterminals} nonterminals, ${g.terminals} words, ${g.startRules} start rules, ` +
          `${g.binaryRules} binary and ${g.terminalRules} terminal rules`,
        `sample: ${stats.sentences} sentences (seed ${flags.seed}), length ${stats.meanLength.toFixed(2)} ± ${stats.lengthStdDev.toFixed(2)} ` +
          `(${stats.minLength}..${stats.maxLength}); mean ln P(x) ${stats.meanLogProb.toFixed(2)}`,
        `optimal single-mask loss: ${stats.optimalLoss.toFixed(4)} ± ${stats.optimalLossStdErr.toFixed(4)} nats/position ` +
          `(uniform over the words: ${stats.uniformLoss.toFixed(4)}; ${result.weights} weights)`,
        `optimal loss on the downstream subset (4 < length < 32, as the study's loss script reads it): ` +
          `${stats.downstreamOptimalLoss.toFixed(4)} ± ${stats.downstreamOptimalLossStdErr.toFixed(4)} (${stats.downstreamPositions} positions)`,
        `downstream (4 < length < 32): ${(100 * stats.downstreamFraction).toFixed(1)}% of sentences`,
        taskLine('A', tasks.A),
        taskLine('B', tasks.B),
        taskLine('C', tasks.C),
      ].join('\n'),
    );
    return 0;
  },
};
