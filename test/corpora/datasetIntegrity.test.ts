import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createDatasetWriter, DatasetNotFoundError, IncompleteDatasetError, ManifestError, openDataset, ShardError,
} from '../../corpora/dataset/index.ts';
import { makeTmpDir } from './tmpDir.ts';

const root = makeTmpDir();
let n = 0;
const FIELDS = [{ name: 'x', dtype: 'int32' as const, perRow: 4 }];
const caught = (f: () => unknown): unknown => { try { f(); } catch (e) { return e; } return undefined; };

function writeSmall(rows = 10, rowsPerShard = 3): string {
  const dir = join(root, `ds-${n++}`);
  const w = createDatasetWriter(dir, { seqLen: 4, fields: FIELDS, rowsPerShard });
  w.append({ rows, fields: { x: Int32Array.from({ length: rows * 4 }, (_, i) => i) } });
  w.finish();
  return dir;
}
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const setManifest = (dir: string, m: unknown): void => writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));

describe('crash safety', () => {
  it('a writer that never finishes leaves an IncompleteDatasetError, not a readable dataset', () => {
    const dir = join(root, `crash-${n++}`);
    const w = createDatasetWriter(dir, { seqLen: 4, fields: FIELDS, rowsPerShard: 2 });
    w.append({ rows: 5, fields: { x: new Int32Array(20) } }); // two shards flushed, one pending
    // ... the process dies here: no finish().
    const err = caught(() => openDataset(dir));
    expect(err).toBeInstanceOf(IncompleteDatasetError);
    expect((err as Error).message).toMatch(/did not finish/);
    expect((err as Error).message).toContain(dir);
  });

  it('a stray temp file (crash inside an atomic write) is also reported as incomplete', () => {
    const dir = join(root, `crash-${n++}`);
    createDatasetWriter(dir, { seqLen: 4, fields: FIELDS });
    writeFileSync(join(dir, '.train-00000.bin.123.456.tmp'), 'partial');
    expect(caught(() => openDataset(dir))).toBeInstanceOf(IncompleteDatasetError);
  });

  it('overwriting removes the old manifest first: a crash mid-rewrite leaves no (old or mixed) dataset', () => {
    const dir = writeSmall();
    const w = createDatasetWriter(dir, { seqLen: 4, fields: FIELDS, rowsPerShard: 2, overwrite: true });
    w.append({ rows: 3, fields: { x: new Int32Array(12) } });
    expect(caught(() => openDataset(dir))).toBeInstanceOf(IncompleteDatasetError);
  });

  it('abort removes the shards: the directory holds no dataset', () => {
    const dir = join(root, `abort-${n++}`);
    const w = createDatasetWriter(dir, { seqLen: 4, fields: FIELDS, rowsPerShard: 1 });
    w.append({ rows: 3, fields: { x: new Int32Array(12) } });
    w.abort();
    expect(caught(() => openDataset(dir))).toBeInstanceOf(DatasetNotFoundError);
  });

  it('a writer process killed at an arbitrary moment leaves either no dataset or the complete one', async () => {
    const dir = join(root, `killed-${n++}`);
    const script = `
      import { createDatasetWriter } from ${JSON.stringify(resolve('corpora/dataset/index.ts'))};
      const w = createDatasetWriter(${JSON.stringify(dir)}, { seqLen: 4, fields: [{ name: 'x', dtype: 'int32', perRow: 4 }], rowsPerShard: 50 });
      for (let i = 0; i < 400; i++) w.append({ rows: 10, fields: { x: Int32Array.from({ length: 40 }, (_, j) => i * 40 + j) } });
      w.finish();
      process.stdout.write('done');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    // Kill once the writer is running (its first shard exists) — or let it finish if it is quick.
    const started = Date.now();
    while (!existsSync(join(dir, 'train-00001.bin')) && child.exitCode === null && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const result = caught(() => openDataset(dir));
    if (out === 'done') {
      expect(result).toBeUndefined();
    } else if (result !== undefined) {
      expect(result).toBeInstanceOf(IncompleteDatasetError);
      return;
    }
    const ds = openDataset(dir, { verify: 'sha256' });
    expect(Array.from(ds.split().readRange(0, 4000).fields.x!)).toEqual(Array.from({ length: 16000 }, (_, i) => i));
  });
});

describe('corruption and bad manifests', () => {
  it('a truncated shard is a ShardError naming the file and the bytes field', () => {
    const dir = writeSmall();
    truncateSync(join(dir, 'train-00001.bin'), 10);
    const err = caught(() => openDataset(dir)) as ShardError;
    expect(err).toBeInstanceOf(ShardError);
    expect(err.message).toContain(join(dir, 'train-00001.bin'));
    expect(err.context.field).toBe('splits.train.shards[1].bytes');
  });

  it('a flipped byte is caught by verify: sha256', () => {
    const dir = writeSmall();
    const path = join(dir, 'train-00002.bin');
    const bytes = readFileSync(path);
    bytes[5] ^= 0xff;
    writeFileSync(path, bytes);
    expect(caught(() => openDataset(dir))).toBeUndefined(); // same size: only the hash can tell
    const err = caught(() => openDataset(dir, { verify: 'sha256' })) as ShardError;
    expect(err).toBeInstanceOf(ShardError);
    expect(err.message).toContain('train-00002.bin');
    expect(err.context.field).toBe('splits.train.shards[2].sha256');
  });

  it('a missing shard is a ShardError naming it', () => {
    const dir = writeSmall();
    rmSync(join(dir, 'train-00000.bin'));
    expect(() => openDataset(dir)).toThrow(/train-00000.bin: shard missing/);
  });

  it.each([
    ['seqLen', (m: any) => { m.seqLen = '4'; }, 'seqLen'],
    ['fields[0].dtype', (m: any) => { m.fields[0].dtype = 'int64'; }, 'fields[0].dtype'],
    ['shard rows type', (m: any) => { m.splits.train.shards[0].rows = -1; }, 'splits.train.shards[0].rows'],
    ['shard bytes inconsistent', (m: any) => { m.splits.train.shards[0].bytes = 4; }, 'splits.train.shards[0].bytes'],
    ['split rows inconsistent', (m: any) => { m.splits.train.rows = 11; }, 'splits.train.rows'],
    ['version', (m: any) => { m.version = 2; }, 'version'],
    ['shard file path escape', (m: any) => { m.splits.train.shards[0].file = '../x.bin'; }, 'splits.train.shards[0].file'],
    ['missing format', (m: any) => { delete m.format; }, 'format'],
  ])('bad manifest field (%s) is a ManifestError naming the field', (_, mutate, field) => {
    const dir = writeSmall();
    const m = manifestOf(dir);
    mutate(m);
    setManifest(dir, m);
    const err = caught(() => openDataset(dir)) as ManifestError;
    expect(err).toBeInstanceOf(ManifestError);
    expect(err.message).toContain(join(dir, 'manifest.json'));
    expect(err.message).toContain(field);
    expect(err.context.field).toBe(field);
  });

  it('manifest that is not JSON, or a missing directory', () => {
    const dir = writeSmall();
    writeFileSync(join(dir, 'manifest.json'), '{"format": ');
    expect(() => openDataset(dir)).toThrow(ManifestError);
    expect(() => openDataset(join(root, 'nope'))).toThrow(DatasetNotFoundError);
  });
});
