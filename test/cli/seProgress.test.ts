import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';

const dir = makeTmpDir('pretext-se-progress-');
const corpus = join(dir, 'corpus');
const config = join(dir, 'tiny.json');
const ROWS = 120;

beforeAll(async () => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    expect(await main(['pcfg', 'generate', '--out', corpus, '--grammar-seed', '3', '--sentences', String(ROWS), '--seed', '1', '--seq-len', '10', '--valid-sentences', '0'])).toBe(0);
    writeFileSync(config, JSON.stringify({ model: { hidden: 8, layers: 1, heads: 2, ffn: 16 }, train: { batchSize: 8, evalEvery: 0, validBatches: 0, checkpointEvery: 0 } }));
    expect(await main(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', '1', '--out', join(dir, 'mlm'), '--config', config, '--no-progress'])).toBe(0);
  } finally {
    vi.restoreAllMocks();
  }
}, 60_000);

describe('SE stage 1', () => {
  it('shows a progress bar on a terminal, as training does', () => {
    // a real pseudo-terminal (util-linux script), so the bar is drawn as for a person at a terminal
    const command = ['node', 'bin/pretext.mjs', 'train', '--objective', 'se', '--corpus', corpus, '--steps', '1', '--out', join(dir, 'se'), '--init', join(dir, 'mlm'), '--config', config].join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: join(import.meta.dirname, '../..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`se stage 1 \\[[^\\]]*\\] ${ROWS}/${ROWS} \\| \\d+ tok/s`));
    expect(r.stdout).toMatch(/selfEvolution \[[^\]]*\] 1\/1 \| loss/); // and then training's own bar
  });
});
