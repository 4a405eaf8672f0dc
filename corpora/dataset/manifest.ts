import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { DTYPES, bytesPerElement, type DType } from './dtypes.ts';
import { ManifestError } from './errors.ts';

export const MANIFEST_FILE = 'manifest.json';
export const DATASET_FORMAT = 'pretext-dataset';
export const DATASET_VERSION = 1;

const nonNegativeInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'NonNegativeInteger');
const positiveInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PositiveInteger');
const sha256Hex = t.refinement(t.string, (s) => /^[0-9a-f]{64}$/.test(s), 'Sha256Hex');
/** A plain file name inside the dataset directory (no separators, no "..", not hidden). */
const fileName = t.refinement(t.string, (s) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s) && !s.includes('..'), 'FileName');
const dtype = t.keyof(Object.fromEntries(Object.keys(DTYPES).map((k) => [k, null])) as Record<DType, null>, 'DType');

export const FieldSpecCodec = t.type({ name: t.string, dtype, perRow: positiveInt }, 'FieldSpec');
export const ShardEntryCodec = t.type({ file: fileName, rows: nonNegativeInt, bytes: nonNegativeInt, sha256: sha256Hex }, 'ShardEntry');
export const SplitEntryCodec = t.type({ rows: nonNegativeInt, shards: t.array(ShardEntryCodec) }, 'SplitEntry');
const SpecialIdsCodec = t.type({ pad: nonNegativeInt, unk: nonNegativeInt, cls: nonNegativeInt, sep: nonNegativeInt, mask: nonNegativeInt }, 'SpecialIds');

export const ManifestCodec = t.intersection(
  [
    t.type({
      format: t.literal(DATASET_FORMAT),
      version: t.number,
      seqLen: positiveInt,
      fields: t.array(FieldSpecCodec),
      splits: t.record(t.string, SplitEntryCodec),
    }),
    t.partial({
      /** The vocabulary the token ids refer to: a file in the dataset directory and its hash. */
      vocab: t.type({ file: fileName, sha256: sha256Hex, size: positiveInt }),
      specials: SpecialIdsCodec,
      /** Where the data came from: seed, grammar file, corpus, command... (free-form JSON). */
      provenance: t.UnknownRecord,
    }),
  ],
  'Manifest',
);

export type FieldSpec = t.TypeOf<typeof FieldSpecCodec>;
export type ShardEntry = t.TypeOf<typeof ShardEntryCodec>;
export type SplitEntry = t.TypeOf<typeof SplitEntryCodec>;
export type Manifest = t.TypeOf<typeof ManifestCodec>;

/** Fields with one value per position of a row (sequenceFields): their perRow is the seqLen. */
export const POSITION_FIELDS: readonly string[] = ['inputIds', 'attentionMask', 'labels'];

/** Bytes of one row over all fields. */
export const rowBytes = (fields: readonly FieldSpec[]): number => fields.reduce((n, f) => n + f.perRow * bytesPerElement(f.dtype), 0);

/** Path of a failed decode as `splits.train.shards[2].bytes` (intersection/union members skipped). */
function pathOf(e: t.ValidationError): string {
  let path = '';
  for (let i = 1; i < e.context.length; i++) {
    const parent = (e.context[i - 1]!.type as { _tag?: string })._tag;
    const k = e.context[i]!.key;
    if (k === '' || parent === 'IntersectionType' || parent === 'UnionType') continue;
    path = parent === 'ArrayType' ? `${path}[${k}]` : path ? `${path}.${k}` : k;
  }
  return path;
}

/**
 * Decodes and checks a parsed manifest: io-ts types first (each bad field named with its path and
 * the value found), then consistency (version, unique fields, per-position fields of seqLen values, split rows = shard rows, shard
 * bytes = rows x row size, unique shard files). Throws ManifestError naming file and field.
 */
export function decodeManifest(json: unknown, file: string): Manifest {
  const result = ManifestCodec.decode(json);
  if (isLeft(result)) {
    const problems = [
      ...new Set(
        result.left.map((e) => {
          const expected = e.context[e.context.length - 1]?.type.name ?? 'a valid value';
          return `${pathOf(e) || '(root)'}: got ${JSON.stringify(e.value) ?? 'nothing'}, expected ${expected}`;
        }),
      ),
    ];
    throw new ManifestError(`${file}: invalid manifest\n  ${problems.join('\n  ')}`, { file, problems, field: pathOf(result.left[0]!) });
  }
  const m = result.right;
  const fail = (field: string, message: string): never => {
    throw new ManifestError(`${file}: ${field}: ${message}`, { file, field });
  };
  if (m.version !== DATASET_VERSION) fail('version', `unsupported dataset version ${m.version} (this pretext reads version ${DATASET_VERSION})`);
  const names = new Set<string>();
  m.fields.forEach((f, i) => {
    if (names.has(f.name)) fail(`fields[${i}].name`, `duplicate field "${f.name}"`);
    if (POSITION_FIELDS.includes(f.name) && f.perRow !== m.seqLen) {
      fail('seqLen', `${m.seqLen}, but field "${f.name}" holds ${f.perRow} values per row (fields[${i}].perRow): one of them was edited`);
    }
    names.add(f.name);
  });
  const perRowBytes = rowBytes(m.fields);
  const files = new Set<string>();
  for (const [split, entry] of Object.entries(m.splits)) {
    if (!/^[A-Za-z0-9_-]+$/.test(split)) fail(`splits.${split}`, 'split names are letters, digits, "_" and "-"');
    let rows = 0;
    entry.shards.forEach((s, i) => {
      if (s.bytes !== s.rows * perRowBytes) fail(`splits.${split}.shards[${i}].bytes`, `${s.bytes} bytes for ${s.rows} rows of ${perRowBytes} bytes`);
      if (files.has(s.file) || s.file === MANIFEST_FILE) fail(`splits.${split}.shards[${i}].file`, `shard file "${s.file}" listed twice`);
      files.add(s.file);
      rows += s.rows;
    });
    if (rows !== entry.rows) fail(`splits.${split}.rows`, `${entry.rows} rows but its shards hold ${rows}`);
  }
  return m;
}
