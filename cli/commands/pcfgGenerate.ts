import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as t from 'io-ts';
import { batchToRowBlock, createDatasetWriter, sequenceFields, type DatasetWriter } from '../../corpora/dataset/index.ts';
import { SPLIT_STREAMS, formatRuleText, pcfgSentenceRows, terminalTokenIds, type Grammar } from '../../corpora/pcfg/index.ts';
import { buildWordLevelVocab, readVocabFile, writeVocabFile, type Vocab } from '../../corpora/tokenizer/index.ts';
import { foldIn, key, type Key } from '../../prng/index.ts';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import type { Command } from '../command.ts';
import { CliError, decodeOrThrow, IntFromString } from '../options.ts';
import { GrammarSourceFlags, grammarSourceOptions, grammarSourceUsage, loadGrammarSource, requirePositive } from './pcfgGrammarSource.ts';

const Flags = t.intersection([
  t.type({ out: t.string, sentences: IntFromString, seed: IntFromString }),
  t.partial({
    'valid-sentences': IntFromString, 'seq-len': IntFromString, 'rows-per-shard': IntFromString, vocab: t.string, overwrite: t.boolean, json: t.boolean,
  }),
]);

/** Sentences sampled and written per chunk: bounds memory whatever --sentences is. */
const CHUNK = 16384;
export const GRAMMAR_FILE = 'grammar.txt';
export const VOCAB_FILE = 'vocab.txt';
export { SPLIT_STREAMS };

/** Default validation size: 1% of the training sentences, at least 1, at most 1000. */
export const defaultValidSentences = (sentences: number): number => Math.min(1000, Math.max(1, Math.ceil(sentences / 100)));

/**
 * Samples `count` sentences of one split chunk by chunk (sentence i from the sampler's stream i,
 * so chunking changes nothing) and appends their rows (pcfgSentenceRows).
 */
function writeSplit(
  writer: DatasetWriter, split: string, grammar: Grammar, vocab: Vocab, tokenOfTerminal: Int32Array, k: Key, count: number, seqLen: number,
): void {
  for (let first = 0; first < count; first += CHUNK) {
    writer.append(batchToRowBlock(pcfgSentenceRows(grammar, tokenOfTerminal, vocab.specials, k, first, Math.min(CHUNK, count - first), seqLen)), split);
  }
}

/**
 * `pretext pcfg generate`: a sharded pretraining dataset of PCFG sentences (spec 5b3: one sentence
 * per instance, [CLS] w.. [SEP], padded; no masks — masking happens at training time, by key).
 */
export const pcfgGenerateCommand: Command = {
  path: ['pcfg', 'generate'],
  summary: 'sample a PCFG into a sharded dataset (+ grammar.txt, vocab.txt)',
  options: {
    ...grammarSourceOptions,
    out: { type: 'string' },
    sentences: { type: 'string' },
    'valid-sentences': { type: 'string' },
    seed: { type: 'string' },
    'seq-len': { type: 'string' },
    'rows-per-shard': { type: 'string' },
    vocab: { type: 'string' },
    overwrite: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  usage: `  --out DIR            dataset directory to write
${grammarSourceUsage}
  --sentences N        training sentences
  --valid-sentences N  validation sentences (default 1% of --sentences, at least 1, at most 1000; 0 for none)
  --seed N             sampling seed: train sentence i comes from foldIn(foldIn(key(N), 0), i), valid from foldIn(key(N), 1)
  --seq-len T          row length (default 32, the study's max_seq_length); sentences have at most T-2 words
  --rows-per-shard N   (default 65536)
  --vocab FILE         use this vocab.txt's ids (e.g. bert-large-uncased's, as the study did); every grammar
                       word must be one whole token of it (default: a word-level vocabulary of the grammar)
  --overwrite          replace an existing dataset in DIR
  --json               print a JSON summary
Writes DIR/grammar.txt (the grammar, rule-file format), DIR/vocab.txt (the --vocab file's tokens, or
word-level: [PAD] [UNK] [CLS] [SEP] [MASK] then the grammar's words, sorted), DIR/train-NNNNN.bin, DIR/valid-NNNNN.bin (fields
inputIds, attentionMask, lengths, blockIds = sentence index) and, last, DIR/manifest.json.`,
  run(values) {
    const f = decodeOrThrow(Flags, values, 'flags');
    requirePositive(f.sentences, 'sentences');
    const seqLen = f['seq-len'] ?? 32;
    if (seqLen < 3) throw new CliError(`--seq-len must be at least 3 ([CLS] word [SEP]), got ${seqLen}`, { flag: 'seq-len', value: seqLen });
    const validSentences = f['valid-sentences'] ?? defaultValidSentences(f.sentences);
    const grammarFlags = decodeOrThrow(GrammarSourceFlags, values, 'flags');
    const { grammar, source } = loadGrammarSource(grammarFlags);
    const grammarText = formatRuleText(grammar);
    const vocab = f.vocab !== undefined ? readVocabFile(f.vocab) : buildWordLevelVocab(grammar.terminals, {}, `${source}: grammar words`);
    const tokenOfTerminal = terminalTokenIds(grammar, vocab); // checked before anything is written

    const writer = createDatasetWriter(f.out, {
      seqLen,
      fields: sequenceFields(seqLen),
      rowsPerShard: f['rows-per-shard'] ?? 65536,
      vocabFile: VOCAB_FILE,
      specials: vocab.specials,
      overwrite: f.overwrite ?? false,
      provenance: {
        command: 'pcfg generate',
        grammarSource: grammarFlags.rules !== undefined ? { rules: grammarFlags.rules } : { grammarSeed: grammarFlags['grammar-seed'] },
        grammarFile: GRAMMAR_FILE,
        grammarSha256: createHash('sha256').update(grammarText).digest('hex'),
        vocabSource: f.vocab ?? 'word-level',
        seed: f.seed,
        sentences: f.sentences,
        validSentences,
        sampling: 'sentence i of split s: SentenceSampler stream foldIn(foldIn(key(seed), s), i), s = 0 train / 1 valid; lengths 1..seqLen-2',
        instances: 'one sentence per row: [CLS] words [SEP], padded with [PAD]; blockIds = sentence index; no masks',
      },
    });
    try {
      writeFileAtomic(join(f.out, GRAMMAR_FILE), grammarText);
      writeVocabFile(join(f.out, VOCAB_FILE), vocab);
      const root = key(f.seed);
      writeSplit(writer, 'train', grammar, vocab, tokenOfTerminal, foldIn(root, SPLIT_STREAMS.train), f.sentences, seqLen);
      if (validSentences > 0) writeSplit(writer, 'valid', grammar, vocab, tokenOfTerminal, foldIn(root, SPLIT_STREAMS.valid), validSentences, seqLen);
      const manifest = writer.finish();
      const summary = {
        out: f.out,
        grammar: source,
        words: grammar.terminals.length,
        vocabSize: vocab.size,
        vocabSource: f.vocab ?? 'word-level',
        seqLen,
        train: manifest.splits.train!.rows,
        valid: manifest.splits.valid?.rows ?? 0,
        shards: Object.values(manifest.splits).reduce((n, s) => n + s.shards.length, 0),
      };
      if (f.json) console.log(JSON.stringify(summary));
      else console.log(`wrote ${f.out}: ${summary.train} train + ${summary.valid} valid sentences, ${summary.shards} shards, vocab ${summary.vocabSize} (${source})`);
    } catch (e) {
      writer.abort();
      throw e;
    }
    return 0;
  },
};
