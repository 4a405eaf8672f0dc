import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createDatasetWriter, computeDatasetStats, formatDatasetStats, openDataset, sequenceFields, batchToRowBlock } from '../../corpora/dataset/index.ts';
import { collectBatch, sentenceInstanceBuilder } from '../../corpora/sequences/index.ts';
import { makeTmpDir } from './tmpDir.ts';

const root = makeTmpDir();
let n = 0;

describe('dataset stats (arquero)', () => {
  it('length histogram, token counts and label distribution match direct counting', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 5, max: 12 }), { maxLength: 6 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        (sentences, rowsPerShard) => {
          const T = 8;
          const batch = collectBatch(sentenceInstanceBuilder({ seqLen: T, specials: { cls: 2, sep: 3 } }), sentences, T, 0);
          const labels = Int32Array.from(batch.inputIds, (x, i) => (i % 3 === 0 && x !== 0 ? x : -100));
          const dir = join(root, `s-${n++}`);
          const w = createDatasetWriter(dir, { seqLen: T, fields: sequenceFields(T, { labels: true }), rowsPerShard });
          w.append(batchToRowBlock(batch, { labels }));
          w.finish();
          const stats = computeDatasetStats(openDataset(dir), { top: 100, chunkRows: 3 });

          const lengths = new Map<number, number>();
          for (const s of sentences) lengths.set(s.length + 2, (lengths.get(s.length + 2) ?? 0) + 1);
          expect(Object.fromEntries(stats.lengthHistogram.map((h) => [h.length, h.rows]))).toEqual(Object.fromEntries(lengths));
          expect(stats.lengthHistogram.reduce((a, h) => a + h.fraction, 0)).toBeCloseTo(1, 12);

          const tokens = new Map<string, number>();
          for (const s of sentences) for (const x of [2, ...s, 3]) tokens.set(String(x), (tokens.get(String(x)) ?? 0) + 1);
          expect(Object.fromEntries(stats.tokenCounts.map((t) => [t.token, t.count]))).toEqual(Object.fromEntries(tokens));
          const counts = stats.tokenCounts.map((t) => t.count);
          expect(counts).toEqual([...counts].sort((a, b) => b - a));

          const ignore = Array.from(labels).filter((l) => l === -100).length;
          expect(stats.labelDistribution!.find((l) => l.label === 'ignore')?.count).toBe(ignore);
          expect(stats.splits[0]).toMatchObject({ split: 'train', rows: sentences.length, tokens: sentences.reduce((a, s) => a + s.length + 2, 0) });
          expect(formatDatasetStats(stats)).toContain('## length histogram');
        },
      ),
      { numRuns: 25 },
    );
  });
});
