import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import { readVocabFile, type SpecialIds } from '../tokenizer/index.ts';
import type { SequenceBatch } from '../sequences/index.ts';
import { DTYPES, toLittleEndianBytes, type FieldArray } from './dtypes.ts';
import { DatasetWriteError } from './errors.ts';
import { shardFileName, writerLeftovers } from './layout.ts';
import { DATASET_FORMAT, DATASET_VERSION, MANIFEST_FILE, decodeManifest, type FieldSpec, type Manifest, type ShardEntry } from './manifest.ts';
import { sha256OfFile, sha256OfParts } from './sha256.ts';
import { firstOutOfRange, valueRange } from './valueRanges.ts';

/** Rows to append: `rows` and one flat array per field (rows x perRow elements). */
export interface RowBlock {
  readonly rows: number;
  readonly fields: Readonly<Record<string, ArrayLike<number>>>;
}

export interface DatasetWriterOptions {
  readonly seqLen: number;
  readonly fields: readonly FieldSpec[];
  /** Rows per shard file (default 65536); the last shard of a split may hold fewer. */
  readonly rowsPerShard?: number;
  /** A vocab file already written into the dataset directory; recorded with its sha256 at finish. */
  readonly vocabFile?: string;
  readonly specials?: SpecialIds;
  readonly provenance?: Record<string, unknown>;
  /** Replace an existing dataset in `dir` (its manifest is removed first, so a crash leaves no dataset). */
  readonly overwrite?: boolean;
}

/** The fields of a SequenceBatch: inputIds and attentionMask per position, lengths and blockIds per row. */
export function sequenceFields(seqLen: number, extra: { labels?: boolean } = {}): FieldSpec[] {
  return [
    { name: 'inputIds', dtype: 'int32', perRow: seqLen },
    { name: 'attentionMask', dtype: 'uint8', perRow: seqLen },
    ...(extra.labels ? [{ name: 'labels', dtype: 'int32' as const, perRow: seqLen }] : []),
    { name: 'lengths', dtype: 'int32', perRow: 1 },
    { name: 'blockIds', dtype: 'int32', perRow: 1 },
  ];
}

/** The RowBlock of a SequenceBatch (plus optional extra fields such as labels). */
export function batchToRowBlock(batch: SequenceBatch, extra: Record<string, ArrayLike<number>> = {}): RowBlock {
  const { inputIds, attentionMask, lengths, blockIds } = batch;
  return { rows: batch.rows, fields: { inputIds, attentionMask, lengths, blockIds, ...extra } };
}

export interface DatasetWriter {
  readonly dir: string;
  /** Appends rows to a split (default 'train'); full shards are written as they fill. */
  append(block: RowBlock, split?: string): void;
  /** Flushes the last shards, then writes manifest.json atomically — the dataset exists from here on. */
  finish(): Manifest;
  /** Gives up: deletes the shards written so far. No manifest is ever written. */
  abort(): void;
}

interface SplitState {
  readonly buffers: FieldArray[];
  filled: number;
  readonly shards: ShardEntry[];
}

/**
 * A streaming, crash-safe dataset writer. Each shard is written with writeFileAtomic (temp +
 * fsync + rename) as soon as it is full, so memory holds at most one shard per split; the
 * manifest is written last, also atomically. Until then readers see an incomplete dataset and
 * say so (IncompleteDatasetError), never a readable-but-wrong one.
 */
export function createDatasetWriter(dir: string, options: DatasetWriterOptions): DatasetWriter {
  const { seqLen, fields } = options;
  const rowsPerShard = options.rowsPerShard ?? 65536;
  if (!Number.isInteger(rowsPerShard) || rowsPerShard < 1) {
    throw new DatasetWriteError(`${dir}: rowsPerShard must be a positive integer, got ${rowsPerShard}`, { file: dir, option: 'rowsPerShard' });
  }
  if (fields.length === 0) throw new DatasetWriteError(`${dir}: a dataset needs at least one field`, { file: dir, option: 'fields' });
  const manifestPath = join(dir, MANIFEST_FILE);
  if (existsSync(manifestPath)) {
    if (!options.overwrite) {
      throw new DatasetWriteError(`${dir}: already holds a dataset (manifest.json); pass overwrite to replace it`, { file: manifestPath });
    }
    rmSync(manifestPath); // from here on the old dataset is gone: no mixing old and new shards
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new DatasetWriteError(`${dir}: exists and is not a directory`, { file: dir });
  mkdirSync(dir, { recursive: true });
  for (const stale of writerLeftovers(dir)) rmSync(join(dir, stale), { force: true });

  const splits = new Map<string, SplitState>();
  // the reader takes values outside these for damage, so they are never written (token ids are checked at finish, against the vocab)
  const ranges = new Map(fields.flatMap((f) => { const r = valueRange({ seqLen }, f); return r ? [[f.name, r] as const] : []; }));
  const ids = { min: Infinity, max: -Infinity };
  let state: 'open' | 'finished' | 'aborted' = 'open';

  const checkOpen = (): void => {
    if (state !== 'open') throw new DatasetWriteError(`${dir}: writer is ${state}`, { file: dir });
  };

  const flush = (split: string, s: SplitState): void => {
    if (s.filled === 0) return;
    const file = shardFileName(split, s.shards.length);
    const parts = s.buffers.map((b, i) => toLittleEndianBytes(b.subarray(0, s.filled * fields[i]!.perRow) as FieldArray));
    writeFileAtomic(join(dir, file), parts);
    s.shards.push({ file, rows: s.filled, bytes: parts.reduce((n, p) => n + p.byteLength, 0), sha256: sha256OfParts(parts) });
    s.filled = 0;
  };

  return {
    dir,
    append(block, split = 'train') {
      checkOpen();
      if (!/^[A-Za-z0-9_-]+$/.test(split)) throw new DatasetWriteError(`${dir}: bad split name "${split}"`, { file: dir, split });
      for (const f of fields) {
        const data = block.fields[f.name];
        if (!data) throw new DatasetWriteError(`${dir}: appended rows lack field "${f.name}"`, { file: dir, field: f.name });
        if (data.length !== block.rows * f.perRow) {
          throw new DatasetWriteError(`${dir}: field "${f.name}" has ${data.length} values for ${block.rows} rows of ${f.perRow}`, {
            file: dir,
            field: f.name,
          });
        }
        const range = ranges.get(f.name);
        const bad = range ? firstOutOfRange(data, range) : -1;
        if (bad >= 0) {
          throw new DatasetWriteError(`${dir}: field "${f.name}" of appended row ${Math.floor(bad / f.perRow)} is ${data[bad]}, not ${range!.what}`, { file: dir, field: f.name });
        }
        if (f.name === 'inputIds') {
          for (let i = 0; i < data.length; i++) {
            ids.min = Math.min(ids.min, data[i]!);
            ids.max = Math.max(ids.max, data[i]!);
          }
        }
      }
      let s = splits.get(split);
      if (!s) splits.set(split, (s = { buffers: fields.map((f) => new DTYPES[f.dtype](rowsPerShard * f.perRow) as FieldArray), filled: 0, shards: [] }));
      for (let done = 0; done < block.rows; ) {
        const take = Math.min(rowsPerShard - s.filled, block.rows - done);
        fields.forEach((f, i) => {
          const src = block.fields[f.name]!;
          const from = done * f.perRow;
          const slice = ArrayBuffer.isView(src) ? (src as FieldArray).subarray(from, from + take * f.perRow) : Array.prototype.slice.call(src, from, from + take * f.perRow);
          s!.buffers[i]!.set(slice as ArrayLike<number>, s!.filled * f.perRow);
        });
        s.filled += take;
        done += take;
        if (s.filled === rowsPerShard) flush(split, s);
      }
    },
    finish() {
      checkOpen();
      const vocab = options.vocabFile ? vocabEntry(dir, options.vocabFile) : undefined;
      if (vocab && (ids.min < 0 || ids.max >= vocab.size)) {
        throw new DatasetWriteError(`${dir}: inputIds holds ${ids.min < 0 ? ids.min : ids.max}, not a token id of the ${vocab.size}-token vocabulary ${options.vocabFile}`, { file: dir, field: 'inputIds' });
      }
      for (const [name, s] of splits) flush(name, s);
      const manifest: Manifest = {
        format: DATASET_FORMAT,
        version: DATASET_VERSION,
        seqLen,
        fields: [...fields],
        splits: Object.fromEntries([...splits].map(([name, s]) => [name, { rows: s.shards.reduce((n, x) => n + x.rows, 0), shards: s.shards }])),
        ...(vocab ? { vocab } : {}),
        ...(options.specials ? { specials: { ...options.specials } } : {}),
        ...(options.provenance ? { provenance: options.provenance } : {}),
      };
      decodeManifest(JSON.parse(JSON.stringify(manifest)), manifestPath); // never write a manifest we could not read back
      writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
      state = 'finished';
      return manifest;
    },
    abort() {
      if (state === 'finished') throw new DatasetWriteError(`${dir}: cannot abort a finished dataset`, { file: dir });
      state = 'aborted';
      for (const s of splits.values()) for (const sh of s.shards) rmSync(join(dir, sh.file), { force: true });
    },
  };
}

function vocabEntry(dir: string, file: string): { file: string; sha256: string; size: number } {
  const path = join(dir, file);
  if (!existsSync(path)) throw new DatasetWriteError(`${dir}: vocab file ${file} is not in the dataset directory`, { file: path });
  return { file, sha256: sha256OfFile(path), size: readVocabFile(path).size };
}
