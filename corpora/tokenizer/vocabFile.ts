import { readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import { VocabError } from './errors.ts';
import { createVocab, type Vocab } from './vocab.ts';

/**
 * Parses the standard vocab.txt format: one token per line, id = 0-based line index, "\n" or
 * "\r\n" line ends, an optional final newline. A blank line is an error (it would shift ids).
 */
export function parseVocabText(text: string, file = '<vocab.txt>'): Vocab {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body === '') throw new VocabError(`${file}: empty vocabulary file`, { file });
  const tokens = body.split('\n').map((t) => (t.endsWith('\r') ? t.slice(0, -1) : t));
  return createVocab(tokens, file);
}

/** Reads vocab.txt; errors name the file (and line where relevant). */
export function readVocabFile(file: string): Vocab {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new VocabError(`${file}: cannot read vocabulary (${code})`, { file, code });
  }
  if (!isUtf8(bytes)) throw new VocabError(`${file}: vocabulary is not valid UTF-8`, { file });
  return parseVocabText(bytes.toString('utf8'), file);
}

/** vocab.txt content for a vocabulary: one token per line, final newline. */
export function formatVocabText(vocab: Vocab): string {
  return vocab.tokens.join('\n') + '\n';
}

/** Writes vocab.txt atomically (temp file + rename). */
export function writeVocabFile(file: string, vocab: Vocab): void {
  writeFileAtomic(file, formatVocabText(vocab));
}
