import * as t from 'io-ts';
import {
  encodeSentence, formatTree, insideChart, labelFromChart, sentenceLogProb, TASK_SPAN, viterbiParse, type TaskName,
} from '../../corpora/pcfg/index.ts';
import type { Command } from '../command.ts';
import { decodeOrThrow } from '../options.ts';
import {
  chartGrammar, chartWeightsOptions, chartWeightsUsage, GrammarSourceFlags, grammarSourceOptions, grammarSourceUsage, loadGrammarSource,
} from './pcfgGrammarSource.ts';

const Flags = t.type({ sentence: t.string });

/** JSON has no -Infinity: such values become null. */
const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * `pretext pcfg parse`: ln P(x) by the inside algorithm, the Viterbi parse as a bracketed tree,
 * and the sentence's task labels.
 */
export const pcfgParseCommand: Command = {
  path: ['pcfg', 'parse'],
  summary: 'parse one sentence: ln P(x), Viterbi tree, task labels',
  options: { ...grammarSourceOptions, ...chartWeightsOptions, sentence: { type: 'string' }, json: { type: 'boolean' } },
  usage: `${grammarSourceUsage}
  --sentence "w1 w2 ..."  the sentence, words separated by spaces
${chartWeightsUsage}
  --json               print one JSON object: logProb (ln P(x) with the start prior), zeroProbability,
                       viterbi {logProb, tree}, labels {A, B, C} (symbol names), labelClasses {A, B, C} (CSV class indices)
Trees are bracketed: (S (S3 (A1_2 (A2_5 word) ...) ...)); (X word) is a terminal rule.
For a sentence the grammar cannot generate, logProb and viterbi are null (JSON has no -Infinity).
Labels B and C are null when the sentence is shorter than their span (4 and 2 words).`,
  run(values) {
    const flags = decodeOrThrow(Flags, values, 'flags');
    const grammar = chartGrammar(loadGrammarSource(decodeOrThrow(GrammarSourceFlags, values, 'flags')).grammar, values);
    const x = encodeSentence(grammar, flags.sentence);
    const chart = insideChart(grammar, x);
    const logProb = sentenceLogProb(chart);
    const labels: Record<TaskName, string | null> = { A: null, B: null, C: null };
    const labelClasses: Record<TaskName, number | null> = { A: null, B: null, C: null };
    for (const task of ['A', 'B', 'C'] as const) {
      if (task !== 'A' && x.length < TASK_SPAN[task]) continue;
      const l = labelFromChart(grammar, chart, task);
      labels[task] = l.symbol;
      labelClasses[task] = l.label;
    }
    const parse = viterbiParse(grammar, x);
    const zero = logProb === -Infinity;
    const result = {
      sentence: Array.from(x, (id) => grammar.terminals[id]).join(' '),
      length: x.length,
      weights: values['raw-weights'] === true ? 'raw' : 'normalised',
      logProb: finiteOrNull(logProb),
      zeroProbability: zero,
      ...(zero ? { note: 'the grammar cannot generate this sentence: P(x) = 0, so logProb and the Viterbi parse are null' } : {}),
      viterbi: { logProb: finiteOrNull(parse.logProb), tree: parse.tree ? formatTree(parse.tree) : null },
      labels,
      labelClasses,
    };
    if (values.json === true) {
      console.log(JSON.stringify(result));
      return 0;
    }
    console.log(
      [
        `sentence (${x.length} words): ${result.sentence}`,
        zero ? 'ln P(x) = -Infinity (the grammar cannot generate it)' : `ln P(x) = ${logProb.toFixed(6)}`,
        parse.tree ? `Viterbi (ln p = ${parse.logProb.toFixed(6)}): ${result.viterbi.tree}` : 'Viterbi: no derivation',
        `labels: A ${labels.A} (${labelClasses.A}), B ${labels.B ?? '-'} (${labelClasses.B ?? '-'}), C ${labels.C ?? '-'} (${labelClasses.C ?? '-'})`,
      ].join('\n'),
    );
    return 0;
  },
};
