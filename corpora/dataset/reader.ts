import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DTYPES, bytesPerElement, fromLittleEndianBytes, type FieldArray } from './dtypes.ts';
import { DatasetNotFoundError, DatasetRangeError, IncompleteDatasetError, ManifestError, ShardError } from './errors.ts';
import { writerLeftovers } from './layout.ts';
import { MANIFEST_FILE, decodeManifest, type FieldSpec, type Manifest, type ShardEntry } from './manifest.ts';
import { sha256OfFile } from './sha256.ts';
import { firstOutOfRange, valueRange } from './valueRanges.ts';

/** Rows read from a dataset: one flat typed array per field (rows x perRow). A RowBlock, too. */
export interface RowData {
  readonly rows: number;
  readonly fields: Readonly<Record<string, FieldArray>>;
}

export interface DatasetSplit {
  readonly name: string;
  readonly rows: number;
  /** Rows [start, start + count). */
  readRange(start: number, count: number): RowData;
  /** The given rows, in the given order (repeats allowed). */
  readRows(indices: ArrayLike<number>): RowData;
}

export interface Dataset {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly seqLen: number;
  readonly fields: readonly FieldSpec[];
  readonly splitNames: readonly string[];
  /** A split by name (default 'train'); DatasetRangeError names the splits there are. */
  split(name?: string): DatasetSplit;
  /** Absolute path of the dataset's vocab file, if it records one. */
  readonly vocabPath: string | undefined;
  /** Closes the shard files opened so far. */
  close(): void;
}

export interface OpenDatasetOptions {
  /** 'size' (default): every shard exists with the manifest's byte length; 'sha256': also hash every shard and the vocab. */
  readonly verify?: 'size' | 'sha256';
}

/**
 * Opens a dataset directory with validation: a missing directory or manifest, a manifest with a
 * wrong-typed or inconsistent field, a missing shard or one of the wrong size (or hash, with
 * verify 'sha256') each throw a typed error naming the file and field. Reads are positioned reads
 * of just the bytes asked for, so random access costs no more memory than the rows returned; a
 * value read outside what the manifest allows (valueRanges.ts) is a ShardError naming the shard.
 */
export function openDataset(dir: string, options: OpenDatasetOptions = {}): Dataset {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetNotFoundError(`${dir}: no such dataset directory`, { file: dir });
  }
  if (!existsSync(manifestPath)) {
    const leftovers = writerLeftovers(dir);
    if (leftovers.length > 0) {
      throw new IncompleteDatasetError(
        `${dir}: incomplete dataset — ${leftovers.length} shard/temp file(s) (${leftovers.slice(0, 3).join(', ')}${leftovers.length > 3 ? ', ...' : ''}) ` +
          `but no ${MANIFEST_FILE}: the writer did not finish (crashed or aborted). Delete the directory and write the dataset again.`,
        { file: dir, leftovers },
      );
    }
    throw new DatasetNotFoundError(`${dir}: not a dataset (no ${MANIFEST_FILE})`, { file: manifestPath });
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new ManifestError(`${manifestPath}: not valid JSON (${(e as Error).message})`, { file: manifestPath, field: '(root)' });
  }
  const manifest = decodeManifest(json, manifestPath);

  for (const [split, entry] of Object.entries(manifest.splits)) {
    entry.shards.forEach((s, i) => {
      const path = join(dir, s.file);
      const field = `splits.${split}.shards[${i}]`;
      if (!existsSync(path)) throw new ShardError(`${path}: shard missing (listed in ${manifestPath} at ${field})`, { file: path, field });
      const size = statSync(path).size;
      if (size !== s.bytes) {
        throw new ShardError(`${path}: shard is ${size} bytes, ${manifestPath} says ${s.bytes} (${field}.bytes); truncated or corrupt`, {
          file: path,
          field: `${field}.bytes`,
          expected: s.bytes,
          actual: size,
        });
      }
      if (options.verify === 'sha256' && sha256OfFile(path) !== s.sha256) {
        throw new ShardError(`${path}: shard content does not match its sha256 in ${manifestPath} (${field}.sha256); corrupt`, {
          file: path,
          field: `${field}.sha256`,
        });
      }
    });
  }
  const vocabPath = manifest.vocab ? join(dir, manifest.vocab.file) : undefined;
  if (vocabPath) {
    if (!existsSync(vocabPath)) throw new ShardError(`${vocabPath}: vocab file missing (manifest field vocab.file)`, { file: vocabPath, field: 'vocab.file' });
    if (options.verify === 'sha256' && sha256OfFile(vocabPath) !== manifest.vocab!.sha256) {
      throw new ShardError(`${vocabPath}: vocab file does not match its sha256 (manifest field vocab.sha256)`, { file: vocabPath, field: 'vocab.sha256' });
    }
  }

  const fds = new Map<string, number>();
  const fdOf = (file: string): number => {
    let fd = fds.get(file);
    if (fd === undefined) fds.set(file, (fd = openSync(join(dir, file), 'r')));
    return fd;
  };
  const fields = manifest.fields;
  const shape = { seqLen: manifest.seqLen, vocabSize: manifest.vocab?.size };
  const ranges = new Map(fields.flatMap((f) => { const r = valueRange(shape, f); return r ? [[f.name, r] as const] : []; }));
  const splitCache = new Map<string, DatasetSplit>();

  const makeSplit = (name: string): DatasetSplit => {
    const entry = manifest.splits[name]!;
    const starts: number[] = [];
    let total = 0;
    for (const s of entry.shards) {
      starts.push(total);
      total += s.rows;
    }
    const shardOf = (row: number): number => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= row) lo = mid;
        else hi = mid - 1;
      }
      while (entry.shards[lo]!.rows === 0) lo++; // empty shards never hold a row
      return lo;
    };
    const allocate = (rows: number): Record<string, FieldArray> =>
      Object.fromEntries(fields.map((f) => [f.name, new DTYPES[f.dtype](rows * f.perRow) as FieldArray]));
    /** Copies rows [from, from + count) of one shard into out at row `at`. */
    const copyRun = (shard: ShardEntry, from: number, count: number, out: Record<string, FieldArray>, at: number): void => {
      const fd = fdOf(shard.file);
      let fieldStart = 0;
      for (const f of fields) {
        const width = f.perRow * bytesPerElement(f.dtype);
        const bytes = Buffer.allocUnsafe(count * width);
        const position = fieldStart + from * width;
        for (let got = 0; got < bytes.length; ) {
          const n = readSync(fd, bytes, got, bytes.length - got, position + got);
          if (n === 0) throw new ShardError(`${join(dir, shard.file)}: shard ended early (truncated after opening?)`, { file: join(dir, shard.file) });
          got += n;
        }
        const values = fromLittleEndianBytes(bytes, f.dtype);
        const range = ranges.get(f.name);
        const bad = range ? firstOutOfRange(values, range) : -1;
        if (bad >= 0) {
          const path = join(dir, shard.file);
          const row = from + Math.floor(bad / f.perRow);
          throw new ShardError(
            `${path}: row ${row} of the shard holds ${f.name} ${values[bad]}, not ${range!.what}: the shard is damaged or was edited ` +
              `(pretext corpus stats ${dir} --verify checks every shard against its sha256)`,
            { file: path, field: f.name, row, value: values[bad] },
          );
        }
        out[f.name]!.set(values, at * f.perRow);
        fieldStart += shard.rows * width;
      }
    };
    const checkRow = (i: number): void => {
      if (!Number.isInteger(i) || i < 0 || i >= total) {
        throw new DatasetRangeError(`${dir}: row ${i} outside split "${name}" of ${total} rows`, { file: dir, split: name, row: i });
      }
    };
    return {
      name,
      rows: total,
      readRange(start, count) {
        if (count > 0) {
          checkRow(start);
          checkRow(start + count - 1);
        }
        const out = allocate(count);
        for (let done = 0; done < count; ) {
          const s = shardOf(start + done);
          const from = start + done - starts[s]!;
          const take = Math.min(count - done, entry.shards[s]!.rows - from);
          copyRun(entry.shards[s]!, from, take, out, done);
          done += take;
        }
        return { rows: count, fields: out };
      },
      readRows(indices) {
        const out = allocate(indices.length);
        for (let i = 0; i < indices.length; ) {
          const first = indices[i]!;
          checkRow(first);
          const s = shardOf(first);
          const end = starts[s]! + entry.shards[s]!.rows;
          let run = 1; // coalesce consecutive rows of one shard into one read per field
          while (i + run < indices.length && indices[i + run] === first + run && first + run < end) run++;
          copyRun(entry.shards[s]!, first - starts[s]!, run, out, i);
          i += run;
        }
        return { rows: indices.length, fields: out };
      },
    };
  };

  return {
    dir,
    manifest,
    seqLen: manifest.seqLen,
    fields,
    splitNames: Object.keys(manifest.splits),
    vocabPath,
    split(name = 'train') {
      if (!(name in manifest.splits)) {
        throw new DatasetRangeError(`${dir}: no split "${name}" (splits: ${Object.keys(manifest.splits).join(', ') || 'none'})`, { file: dir, split: name });
      }
      let s = splitCache.get(name);
      if (!s) splitCache.set(name, (s = makeSplit(name)));
      return s;
    },
    close() {
      for (const fd of fds.values()) closeSync(fd);
      fds.clear();
    },
  };
}
