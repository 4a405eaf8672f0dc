import * as aq from 'arquero';
import { readVocabFile, type Vocab } from '../tokenizer/index.ts';
import type { Dataset } from './reader.ts';

const IGNORE_LABEL = -100;

export interface SplitSummary {
  readonly split: string;
  readonly rows: number;
  readonly shards: number;
  readonly bytes: number;
  /** Real (non-padding) tokens. */
  readonly tokens: number;
  readonly padding: number;
  readonly meanLength: number;
  readonly distinctTokens: number;
}

export interface DatasetStats {
  readonly dir: string;
  readonly seqLen: number;
  readonly fields: readonly string[];
  readonly provenance: Record<string, unknown> | undefined;
  readonly splits: SplitSummary[];
  /** Rows per real length, per split. */
  readonly lengthHistogram: { split: string; length: number; rows: number; fraction: number }[];
  /** The most frequent real tokens, per split. */
  readonly tokenCounts: { split: string; id: number; token: string; count: number; fraction: number }[];
  /** Label values (if the dataset has a labels field): "ignore" (-100) or the token, per split. */
  readonly labelDistribution?: { split: string; label: string; count: number; fraction: number }[];
}

export interface DatasetStatsOptions {
  /** Splits to summarise (default all). */
  readonly splits?: readonly string[];
  /** How many of the most frequent tokens / labels to list (default 20). */
  readonly top?: number;
  /** Vocabulary for token names (default: the dataset's own vocab file, if any). */
  readonly vocab?: Vocab;
  /** Rows read per chunk (default 8192): memory stays bounded on big datasets. */
  readonly chunkRows?: number;
}

const objects = <T>(table: aq.ColumnTable): T[] => table.objects() as T[];

/**
 * Summaries of a dataset, streamed chunk by chunk (counts accumulate in maps) and shaped with
 * arquero: length histogram, token counts and, when a labels field exists, label distribution.
 * Real length = the `lengths` field, else the attention mask, else non-pad ids.
 */
export function computeDatasetStats(ds: Dataset, options: DatasetStatsOptions = {}): DatasetStats {
  const top = options.top ?? 20;
  const chunkRows = options.chunkRows ?? 8192;
  const vocab = options.vocab ?? (ds.vocabPath ? readVocabFile(ds.vocabPath) : undefined);
  const name = (id: number): string => (vocab && id >= 0 && id < vocab.size ? vocab.tokenOf(id) : String(id));
  const T = ds.seqLen;
  const has = (f: string): boolean => ds.fields.some((x) => x.name === f);
  const padId = ds.manifest.specials?.pad;

  const summaries: SplitSummary[] = [];
  const lengthRows: { split: string; length: number; rows: number }[] = [];
  const tokenRows: { split: string; id: number; count: number }[] = [];
  const labelRows: { split: string; label: number; count: number }[] = [];

  for (const splitName of options.splits ?? ds.splitNames) {
    const split = ds.split(splitName);
    const entry = ds.manifest.splits[splitName]!;
    const lengths = new Map<number, number>();
    const tokens = new Map<number, number>();
    const labels = new Map<number, number>();
    let real = 0;
    for (let start = 0; start < split.rows; start += chunkRows) {
      const chunk = split.readRange(start, Math.min(chunkRows, split.rows - start));
      const ids = chunk.fields.inputIds;
      for (let r = 0; r < chunk.rows; r++) {
        const isReal = (t: number): boolean => {
          if (has('attentionMask')) return chunk.fields.attentionMask![r * T + t] === 1;
          if (has('lengths')) return t < chunk.fields.lengths![r]!;
          return padId === undefined || ids === undefined || ids[r * T + t] !== padId;
        };
        let len = 0;
        if (has('lengths')) len = chunk.fields.lengths![r]!;
        else for (let t = 0; t < T; t++) if (isReal(t)) len++;
        lengths.set(len, (lengths.get(len) ?? 0) + 1);
        real += len;
        if (ids) for (let t = 0; t < T; t++) if (isReal(t)) tokens.set(ids[r * T + t]!, (tokens.get(ids[r * T + t]!) ?? 0) + 1);
        if (chunk.fields.labels) for (let t = 0; t < T; t++) labels.set(chunk.fields.labels[r * T + t]!, (labels.get(chunk.fields.labels[r * T + t]!) ?? 0) + 1);
      }
    }
    summaries.push({
      split: splitName,
      rows: split.rows,
      shards: entry.shards.length,
      bytes: entry.shards.reduce((n, s) => n + s.bytes, 0),
      tokens: real,
      padding: split.rows * T - real,
      meanLength: split.rows ? real / split.rows : 0,
      distinctTokens: tokens.size,
    });
    for (const [length, rows] of lengths) lengthRows.push({ split: splitName, length, rows });
    for (const [id, count] of tokens) tokenRows.push({ split: splitName, id, count });
    for (const [label, count] of labels) labelRows.push({ split: splitName, label, count });
  }

  // Fractions within each split, ordered; top-N by count for tokens and labels.
  const withFraction = (rows: object[], value: string, order: (string | object)[]): aq.ColumnTable =>
    aq
      .from(rows)
      .groupby('split')
      .derive({ fraction: `d => d.${value} / op.sum(d.${value})` })
      .ungroup()
      .orderby('split', ...(order as string[]));
  const topN = (table: aq.ColumnTable, value: string): aq.ColumnTable =>
    table
      .params({ top })
      .groupby('split')
      .orderby(aq.desc(value))
      .filter('(d, $) => op.row_number() <= $.top')
      .ungroup()
      .orderby('split', aq.desc(value));

  const lengthHistogram = lengthRows.length ? objects<DatasetStats['lengthHistogram'][number]>(withFraction(lengthRows, 'rows', ['length'])) : [];
  const tokenTable = tokenRows.length ? topN(withFraction(tokenRows, 'count', [aq.desc('count'), 'id']), 'count') : undefined;
  const tokenCounts = tokenTable ? objects<{ split: string; id: number; count: number; fraction: number }>(tokenTable).map((r) => ({ split: r.split, id: r.id, token: name(r.id), count: r.count, fraction: r.fraction })) : [];
  const labelTable = labelRows.length ? topN(withFraction(labelRows, 'count', [aq.desc('count'), 'label']), 'count') : undefined;
  const labelDistribution = labelTable
    ? objects<{ split: string; label: number; count: number; fraction: number }>(labelTable).map((r) => ({
        split: r.split,
        label: r.label === IGNORE_LABEL ? 'ignore' : name(r.label),
        count: r.count,
        fraction: r.fraction,
      }))
    : undefined;

  return {
    dir: ds.dir,
    seqLen: T,
    fields: ds.fields.map((f) => f.name),
    provenance: ds.manifest.provenance,
    splits: summaries,
    lengthHistogram,
    tokenCounts,
    ...(labelDistribution ? { labelDistribution } : {}),
  };
}

/** The stats as readable markdown tables (arquero's formatter). */
export function formatDatasetStats(stats: DatasetStats): string {
  const table = (rows: object[]): string => (rows.length ? aq.from(rows).toMarkdown({ maxdigits: 4 }) : '(none)\n');
  const parts = [
    `# dataset ${stats.dir}`,
    `seqLen ${stats.seqLen}; fields: ${stats.fields.join(', ')}`,
    ...(stats.provenance ? [`provenance: ${JSON.stringify(stats.provenance)}`] : []),
    '',
    '## splits',
    table(stats.splits),
    '## length histogram',
    table(stats.lengthHistogram),
    '## most frequent tokens',
    table(stats.tokenCounts),
    ...(stats.labelDistribution ? ['## labels', table(stats.labelDistribution)] : []),
  ];
  return parts.join('\n');
}
