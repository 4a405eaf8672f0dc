import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as t from 'io-ts';
import { batchToRowBlock, createDatasetWriter, sequenceFields } from '../../corpora/dataset/index.ts';
import {
  batchRows, buildRowsAsync, completeBlockBuilder, packedBlockBuilder, sentenceInstanceBuilder, type RowBuilder,
} from '../../corpora/sequences/index.ts';
import { readDocuments } from '../../corpora/text/index.ts';
import { createWordPieceTokenizer, readVocabFile } from '../../corpora/tokenizer/index.ts';
import type { Command } from '../command.ts';
import { CliError, decodeOrThrow, IntFromString } from '../options.ts';

const Mode = t.keyof({ sentence: null, packed: null, complete: null }, 'sentence | packed | complete');
const Flags = t.intersection([
  t.type({ input: t.string, vocab: t.string, out: t.string, 'seq-len': IntFromString, mode: Mode }),
  t.partial({ 'rows-per-shard': IntFromString, overflow: t.keyof({ error: null, truncate: null }), cased: t.boolean, overwrite: t.boolean, json: t.boolean }),
]);

/**
 * `pretext corpus build`: tokenises a plain-text corpus into a sharded dataset. Modes:
 * sentence (one [CLS] s [SEP] row per line, padded), packed (each document one text, TACO's
 * fixed blocks of T, no padding), complete (fairseq complete blocks of lines, stable block ids).
 */
export const corpusBuildCommand: Command = {
  path: ['corpus', 'build'],
  summary: 'tokenise a plain-text corpus into a sharded dataset',
  options: {
    input: { type: 'string' }, vocab: { type: 'string' }, out: { type: 'string' }, 'seq-len': { type: 'string' }, mode: { type: 'string' },
    'rows-per-shard': { type: 'string' }, overflow: { type: 'string' }, cased: { type: 'boolean' }, overwrite: { type: 'boolean' }, json: { type: 'boolean' },
  },
  usage: `  --input FILE         corpus: one sentence per line, documents separated by blank lines
  --vocab FILE         vocab.txt (copied into the dataset)
  --out DIR            dataset directory
  --seq-len T          row length
  --mode M             sentence: [CLS] line [SEP] per row, padded (PCFG style)
                       packed: each document one text, [CLS] text [SEP] concatenated and cut into rows of T (TACO)
                       complete: lines (+[SEP]) packed whole into blocks of <= T-1, [CLS] prepended (fairseq, SE)
  --overflow error|truncate   sentence mode, a line longer than T-2 tokens (default truncate)
  --rows-per-shard N   (default 65536)
  --cased              do not lowercase / strip accents
  --overwrite          replace an existing dataset
  --json               print a JSON summary`,
  async run(values) {
    const f = decodeOrThrow(Flags, values, 'flags');
    const T = f['seq-len'];
    if (T < 2) throw new CliError(`--seq-len must be at least 2, got ${T}`, { flag: 'seq-len' });
    const vocab = readVocabFile(f.vocab);
    const tokenizer = createWordPieceTokenizer(vocab, { lowercase: !f.cased });
    const specials = { cls: vocab.specials.cls, sep: vocab.specials.sep, pad: vocab.specials.pad };
    const builder: RowBuilder =
      f.mode === 'sentence' ? sentenceInstanceBuilder({ seqLen: T, specials, overflow: f.overflow ?? 'truncate' })
      : f.mode === 'packed' ? packedBlockBuilder({ seqLen: T, specials })
      : completeBlockBuilder({ seqLen: T, specials });
    async function* texts(): AsyncGenerator<Int32Array> {
      for await (const doc of readDocuments(f.input)) {
        if (f.mode === 'packed') yield tokenizer.encode(doc.sentences.join(' '));
        else for (const s of doc.sentences) yield tokenizer.encode(s);
      }
    }
    mkdirSync(f.out, { recursive: true });
    const writer = createDatasetWriter(f.out, {
      seqLen: T,
      fields: sequenceFields(T),
      rowsPerShard: f['rows-per-shard'] ?? 65536,
      vocabFile: 'vocab.txt',
      specials: vocab.specials,
      provenance: { command: 'corpus build', input: f.input, vocab: f.vocab, mode: f.mode, seqLen: T, lowercase: !f.cased },
      overwrite: f.overwrite ?? false,
    });
    try {
      copyFileSync(f.vocab, join(f.out, 'vocab.txt'));
      let rows = 0;
      for await (const batch of batchRows(buildRowsAsync(builder, texts()), T, vocab.specials.pad, 4096)) {
        writer.append(batchToRowBlock(batch));
        rows += batch.rows;
      }
      writer.finish();
      console.log(f.json ? JSON.stringify({ out: f.out, rows, mode: f.mode, seqLen: T }) : `wrote ${f.out}: ${rows} rows of ${T} (${f.mode})`);
    } catch (e) {
      writer.abort();
      throw e;
    }
    return 0;
  },
};
