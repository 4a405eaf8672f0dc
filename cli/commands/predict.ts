import * as t from 'io-ts';
import { loadClassifier } from '../../finetune/classifierCheckpoint.ts';
import { ClassifierPredictor } from '../../finetune/classifierPredictor.ts';
import { formatTable, readTable, tableColumn } from '../../finetune/csvTable.ts';
import { resolveColumns, tableTexts, vocabEncoder } from '../../finetune/csvTask.ts';
import { labelledRows } from '../../finetune/labelledRows.ts';
import { encodeLabels } from '../../finetune/labelSpace.ts';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import type { Command } from '../command.ts';
import { decodeOrThrow, IntFromString } from '../options.ts';
import { fmt } from './evalSource.ts';

const Flags = t.intersection([
  t.type({ checkpoint: t.string, input: t.string }),
  t.partial({ out: t.string, 'text-column': t.string, 'pair-column': t.string, 'label-column': t.string, batch: IntFromString, json: t.boolean }),
]);

const softmaxMax = (logits: Float32Array, row: number, C: number): number => {
  let max = -Infinity;
  for (let c = 0; c < C; c++) max = Math.max(max, logits[row * C + c]!);
  let z = 0;
  for (let c = 0; c < C; c++) z += Math.exp(logits[row * C + c]! - max);
  return 1 / z;
};

/** `pretext predict`: a fine-tuned classifier's predictions for the rows of a CSV/TSV file. */
export const predictCommand: Command = {
  path: ['predict'],
  summary: 'predictions of a fine-tuned classifier (pretext finetune) for a CSV/TSV file',
  options: {
    checkpoint: { type: 'string' },
    input: { type: 'string' },
    out: { type: 'string' },
    'text-column': { type: 'string' },
    'pair-column': { type: 'string' },
    'label-column': { type: 'string' },
    batch: { type: 'string' },
    json: { type: 'boolean' },
  },
  usage: `  --checkpoint DIR     a fine-tuned model: a \`pretext finetune --out\` directory (its best/) or the model directory
  --input FILE         CSV (TSV for .tsv) with a header; the text column(s) the model was fine-tuned on (or
                       --text-column C [--pair-column C]); texts longer than the model's rows are truncated
  --out FILE           predictions as CSV/TSV: index, prediction (the label, or the value for regression) and, for
                       classes, probability (default: standard output)
  --label-column C     when the input has labels (default column label, if present): also print the metrics
  --batch N            rows per forward pass (default 128)
  --json               a JSON summary (rows, truncated, metrics) instead of the metrics line (on standard
                       output with --out, else on standard error)`,
  run(values) {
    const f = decodeOrThrow(Flags, values, 'flags');
    const m = loadClassifier(f.checkpoint);
    const table = readTable(f.input);
    const given = { text: f['text-column'] ?? m.columns?.text, pair: f['pair-column'] ?? m.columns?.pair, label: f['label-column'] ?? m.columns?.label };
    const cols = resolveColumns(table, Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
    const labelled = table.columns.includes(cols.label);
    const gold = labelled ? encodeLabels(tableColumn(table, cols.label), m.labels, { file: table.file, column: cols.label, lines: table.lines }) : new Int32Array(table.rows.length);
    const rows = labelledRows(tableTexts(table, cols, vocabEncoder(m.vocab)), gold, m.vocab.specials, m.seqLen);
    const r = new ClassifierPredictor(m, Math.min(f.batch ?? 128, rows.rows), m.seqLen).evaluate(rows);
    const C = m.labels.kind === 'classification' ? m.labels.names.length : 1;
    const names = m.labels.kind === 'classification' ? m.labels.names : undefined;
    const out = formatTable(
      f.out ?? 'stdout.csv',
      names ? ['index', 'prediction', 'probability'] : ['index', 'prediction'],
      Array.from(r.predictions, (y, i) => (names ? [String(i), names[y]!, softmaxMax(r.logits, i, C).toPrecision(6)] : [String(i), String(y)])),
    );
    if (f.out) writeFileAtomic(f.out, out);
    else process.stdout.write(out);
    const summary = { checkpoint: m.dir, input: f.input, rows: rows.rows, truncated: rows.truncated, ...(labelled ? { metrics: r.metrics } : {}), ...(f.out ? { out: f.out } : {}) };
    // with predictions on standard output, the summary goes to standard error
    if (f.json) (f.out ? console.log : console.error)(JSON.stringify(summary));
    else if (labelled || rows.truncated > 0) {
      console.error(
        `${rows.rows} rows${rows.truncated > 0 ? ` (${rows.truncated} truncated to ${m.seqLen} tokens)` : ''}` +
          (labelled ? `; ${Object.entries(r.metrics).map(([k, v]) => `${k} ${fmt(v as number)}`).join(', ')}` : ''),
      );
    }
    return 0;
  },
};
