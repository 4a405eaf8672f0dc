import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { vi } from 'vitest';
import { main } from '../../cli/main.ts';

/** The study API as a study file outside the package imports it (by file URL: tmp has no node_modules/pretext). */
export const STUDY_API = pathToFileURL(join(import.meta.dirname, '../../study/index.ts')).href;

/** A temporary folder with a tiny PCFG corpus (400 sentences, 14 positions) in corpus/. */
export async function studyFixture(prefix: string): Promise<{ dir: string; corpus: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const corpus = join(dir, 'corpus');
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await main(['pcfg', 'generate', '--out', corpus, '--grammar-seed', '3', '--sentences', '400', '--seed', '1', '--seq-len', '14', '--valid-sentences', '40']);
    if (code !== 0) throw new Error(`pcfg generate exited ${code}`);
  } finally {
    err.mockRestore();
  }
  return { dir, corpus };
}

/** Base settings of a tiny MLM run (a step takes milliseconds). */
export const TINY_BASE = {
  corpus: 'corpus',
  model: { hidden: 16, layers: 1, heads: 2, ffn: 32 },
  objectiveOptions: { masking: { kind: 'exact', prob: 0.2 } },
  train: { batchSize: 16, logEvery: 1, evalEvery: 2, checkpointEvery: 2, validBatches: 1 },
};

/** Writes a study file whose body is `source` (it can use defineStudy, grid... imported from the API). */
export function writeStudy(dir: string, name: string, source: string): string {
  // .mts: an ES module wherever it lies (a .ts file outside a "type": "module" package would load as CommonJS)
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, `import { defineStudy, grid, zip, concat, evaluation, excessLoss, table, curves, scatter, bars, compute } from '${STUDY_API}';\n${source}\n`);
  return file;
}
