import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { DatasetWriteError, ManifestError, ShardError, createDatasetWriter, openDataset, sequenceFields } from '../../corpora/dataset/index.ts';
import { makeTmpDir } from './tmpDir.ts';

async function run(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await main(args), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const dir = makeTmpDir();
const corpus = join(dir, 'corpus');
const config = join(dir, 'tiny.json');
// 5 batches of 8 read all 40 rows
const trainArgs = (data: string) => ['train', '--objective', 'mlm', '--corpus', data, '--steps', '5', '--out', join(dir, 'run', data.replace(/\W/g, '')), '--batch-size', '8', '--config', config, '--no-progress'];

beforeAll(async () => {
  const r = await run(['pcfg', 'generate', '--out', corpus, '--grammar-seed', '3', '--sentences', '40', '--seed', '1', '--seq-len', '10', '--valid-sentences', '0']);
  expect(r.code, r.err).toBe(0);
  writeFileSync(config, JSON.stringify({ model: { hidden: 8, layers: 1, heads: 2, ffn: 16 }, train: { evalEvery: 0, validBatches: 0, checkpointEvery: 0 } }));
}, 30_000);

/** A copy of the corpus with `edit` applied. */
function copyWith(name: string, edit: (copy: string) => void): string {
  const copy = join(dir, name);
  cpSync(corpus, copy, { recursive: true });
  edit(copy);
  return copy;
}

describe('a damaged dataset', () => {
  it('a shard of the right size with damaged token ids names the shard, the row and the field, and suggests --verify', async () => {
    const shard = 'train-00000.bin';
    const damaged = copyWith('damaged', (c) => {
      const bytes = readFileSync(join(c, shard));
      bytes.fill(0x7f, 4 * 10 * 3, 4 * 10 * 3 + 4); // the first inputIds value of row 3 (inputIds come first, 10 int32 per row)
      writeFileSync(join(c, shard), bytes);
    });
    const ds = openDataset(damaged); // its size is right, so opening (without --verify) passes
    let thrown: unknown;
    try {
      ds.split('train').readRange(0, 40);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ShardError);
    expect((thrown as ShardError).context).toMatchObject({ file: join(damaged, shard), field: 'inputIds', row: 3, value: 0x7f7f7f7f });
    ds.close();

    const r = await run(trainArgs(damaged));
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(2); // the parameter line and the one-line error
    expect(r.err).toContain(join(damaged, shard));
    expect(r.err).toContain(`pretext corpus stats ${damaged} --verify`);
    // and --verify does find it
    const v = await run(['corpus', 'stats', damaged, '--verify']);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/train-00000\.bin: shard content does not match its sha256/);
  });

  it('a damaged attention mask is caught too', async () => {
    const damaged = copyWith('mask', (c) => {
      const bytes = readFileSync(join(c, 'train-00000.bin'));
      bytes[40 * 10 * 4 + 5] = 7; // attentionMask follows the 40 rows x 10 int32 ids
      writeFileSync(join(c, 'train-00000.bin'), bytes);
    });
    expect(() => openDataset(damaged).split('train').readRows([0])).toThrow(/row 0 of the shard holds attentionMask 7, not 0 or 1/);
  });

  it('an edited manifest seqLen is a manifest error naming seqLen, not an internal one', async () => {
    const edited = copyWith('seqlen', (c) => {
      const m = JSON.parse(readFileSync(join(c, 'manifest.json'), 'utf8')) as { seqLen: number };
      writeFileSync(join(c, 'manifest.json'), JSON.stringify({ ...m, seqLen: 12 }));
    });
    expect(() => openDataset(edited)).toThrow(ManifestError);
    expect(() => openDataset(edited)).toThrow(/manifest\.json: seqLen: 12, but field "inputIds" holds 10 values per row/);
    const r = await run(trainArgs(edited));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^pretext train: .*manifest\.json: seqLen: 12/);
  });

  it('the writer refuses the values the reader would take for damage', () => {
    const row = (ids: number[], mask: number[], length: number) => ({ rows: 1, fields: { inputIds: ids, attentionMask: mask, lengths: [length], blockIds: [0] } });
    const writer = (name: string) => {
      const out = join(dir, name);
      cpSync(join(corpus, 'vocab.txt'), join(out, 'vocab.txt'));
      return createDatasetWriter(out, { seqLen: 3, fields: sequenceFields(3), vocabFile: 'vocab.txt' });
    };
    expect(() => writer('w-mask').append(row([2, 6, 3], [1, 2, 1], 3))).toThrow(/field "attentionMask" of appended row 0 is 2, not 0 or 1/);
    expect(() => writer('w-length').append(row([2, 6, 3], [1, 1, 1], 4))).toThrow(/field "lengths" of appended row 0 is 4, not a length of at most seqLen 3/);
    // token ids are checked at finish, when the vocabulary's size is known
    const w = writer('w-ids');
    w.append(row([2, 9999, 3], [1, 1, 1], 3));
    expect(() => w.finish()).toThrow(DatasetWriteError);
    expect(() => w.finish()).toThrow(/inputIds holds 9999, not a token id of the \d+-token vocabulary/);
    const ok = writer('w-ok');
    ok.append(row([2, 6, 3], [1, 1, 0], 2));
    expect(ok.finish().vocab?.file).toBe('vocab.txt');
  });
});
