import * as t from 'io-ts';
import { readSentences } from '../../corpora/text/index.ts';
import { trainWordPieceVocab, writeVocabFile } from '../../corpora/tokenizer/index.ts';
import type { Command } from '../command.ts';
import { CliError, decodeOrThrow, IntFromString } from '../options.ts';

const Flags = t.intersection([
  t.type({ input: t.string, out: t.string, 'vocab-size': IntFromString }),
  t.partial({ 'min-frequency': IntFromString, cased: t.boolean, json: t.boolean }),
]);

/** `pretext corpus vocab`: trains a WordPiece vocabulary from a plain-text corpus. */
export const corpusVocabCommand: Command = {
  path: ['corpus', 'vocab'],
  summary: 'train a WordPiece vocab.txt from a plain-text corpus',
  options: { input: { type: 'string' }, out: { type: 'string' }, 'vocab-size': { type: 'string' }, 'min-frequency': { type: 'string' }, cased: { type: 'boolean' }, json: { type: 'boolean' } },
  usage: `  --input FILE         corpus: one sentence per line, documents separated by blank lines
  --out FILE           vocab.txt to write (atomically)
  --vocab-size N       target size, specials included
  --min-frequency N    least count of a character or merged pair (default 2)
  --cased              keep case and accents (default: lowercase + strip accents, as bert-*-uncased)
  --json               print a JSON summary`,
  async run(values) {
    const flags = decodeOrThrow(Flags, values, 'flags');
    if (flags['vocab-size'] < 5) throw new CliError(`--vocab-size must be at least 5 (the specials), got ${flags['vocab-size']}`, { flag: 'vocab-size' });
    const vocab = await trainWordPieceVocab(readSentences(flags.input), {
      vocabSize: flags['vocab-size'],
      minFrequency: flags['min-frequency'] ?? 2,
      lowercase: !flags.cased,
    });
    writeVocabFile(flags.out, vocab);
    const summary = { out: flags.out, size: vocab.size, target: flags['vocab-size'] };
    console.log(flags.json ? JSON.stringify(summary) : `wrote ${flags.out}: ${vocab.size} tokens (target ${flags['vocab-size']})`);
    return 0;
  },
};
