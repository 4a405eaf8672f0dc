import * as t from 'io-ts';
import { sampleDownstreamSentences, taskClassNames, taskRows, writeTaskCsv } from '../../corpora/pcfg/index.ts';
import { key } from '../../prng/index.ts';
import type { Command } from '../command.ts';
import { decodeOrThrow, IntFromString } from '../options.ts';
import {
  chartGrammar, chartWeightsOptions, chartWeightsUsage, GrammarSourceFlags, grammarSourceOptions, grammarSourceUsage, loadGrammarSource,
  requirePositive,
} from './pcfgGrammarSource.ts';

const Task = t.keyof({ A: null, B: null, C: null }, 'A | B | C');

const Flags = t.type({ task: Task, sentences: IntFromString, seed: IntFromString, out: t.string });

/** `pretext pcfg tasks`: a downstream classification CSV (text,label) as in the study. */
export const pcfgTasksCommand: Command = {
  path: ['pcfg', 'tasks'],
  summary: 'write a downstream task CSV (text,label) for task A, B or C',
  options: {
    ...grammarSourceOptions,
    ...chartWeightsOptions,
    task: { type: 'string' },
    sentences: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  usage: `${grammarSourceUsage}
  --task A|B|C         A: argmax_k inside(S_k, whole sentence), no prior (label k-1);
                       B: argmax_X inside(X, first 4 words); C: the same for the first 2 words
                       (B/C labels index the string-sorted list of all left-hand sides)
  --sentences N        rows (default 10000); sentences have 4 < length < 32
  --seed N             sampling seed (default 0)
  --out FILE.csv       output (written atomically)
${chartWeightsUsage}
  --json               print a JSON summary {out, task, sentences, classes, majority, majorityLabel}`,
  run(values) {
    const flags = decodeOrThrow(Flags, values, 'flags');
    requirePositive(flags.sentences, 'sentences');
    const { grammar } = loadGrammarSource(decodeOrThrow(GrammarSourceFlags, values, 'flags'));
    const rows = taskRows(chartGrammar(grammar, values), sampleDownstreamSentences(grammar, key(flags.seed), flags.sentences), flags.task);
    writeTaskCsv(flags.out, rows);
    const counts = new Map<number, number>();
    for (const r of rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
    const [topLabel, topCount] = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
    const summary = {
      out: flags.out,
      task: flags.task,
      sentences: rows.length,
      classes: counts.size,
      majority: topCount / rows.length,
      majorityLabel: taskClassNames(grammar, flags.task)[topLabel]!,
      majorityClass: topLabel,
    };
    if (values.json === true) console.log(JSON.stringify(summary));
    else {
      console.log(
        `wrote ${summary.sentences} rows of task ${summary.task} to ${summary.out}: ${summary.classes} classes occur, ` +
          `majority ${summary.majorityLabel} (class ${summary.majorityClass}) ${(100 * summary.majority).toFixed(1)}%`,
      );
    }
    return 0;
  },
};
