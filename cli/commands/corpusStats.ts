import * as t from 'io-ts';
import { computeDatasetStats, formatDatasetStats, openDataset } from '../../corpora/dataset/index.ts';
import type { Command } from '../command.ts';
import { decodeOrThrow, IntFromString } from '../options.ts';

const Flags = t.partial({ split: t.string, top: IntFromString, json: t.boolean, verify: t.boolean });

/** `pretext corpus stats DIR`: summaries of a sharded dataset (arquero tables). */
export const corpusStatsCommand: Command = {
  path: ['corpus', 'stats'],
  summary: 'summarise a sharded dataset: lengths, token counts, labels',
  options: { split: { type: 'string' }, top: { type: 'string' }, json: { type: 'boolean' }, verify: { type: 'boolean' } },
  usage: `  pretext corpus stats DIR [flags]
  --split NAME         only this split (default: all)
  --top N              most frequent tokens / labels to list per split (default 20)
  --verify             check every shard's sha256 first
  --json               print one JSON object: dir, seqLen, fields, provenance, splits[], lengthHistogram[],
                       tokenCounts[], labelDistribution[] (when the dataset has labels)`,
  run(values, positionals) {
    const flags = decodeOrThrow(Flags, values, 'flags');
    if (positionals.length !== 1) {
      console.error('pretext corpus stats: give exactly one dataset directory (pretext corpus stats DIR)');
      return 2;
    }
    const ds = openDataset(positionals[0]!, { verify: flags.verify ? 'sha256' : 'size' });
    try {
      const stats = computeDatasetStats(ds, { ...(flags.split ? { splits: [flags.split] } : {}), top: flags.top ?? 20 });
      console.log(flags.json ? JSON.stringify(stats) : formatDatasetStats(stats));
    } finally {
      ds.close();
    }
    return 0;
  },
};
