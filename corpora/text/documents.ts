import { EmptyCorpusError } from './errors.ts';
import { readLines, type ReadLinesOptions, type TextLine } from './readLines.ts';

/**
 * A document of a plain-text corpus: a block of non-blank lines, one sentence per line. `index`
 * counts documents from 0; `firstLine` is the 1-based line number of its first sentence.
 */
export interface TextDocument {
  readonly index: number;
  readonly firstLine: number;
  readonly sentences: readonly string[];
}

const isBlank = (s: string): boolean => s.trim() === '';

/**
 * Groups lines into documents: blank (or whitespace-only) lines separate documents, runs of them
 * count as one separator. Sentences are trimmed. Throws EmptyCorpusError (naming `source`) when
 * there is no sentence at all.
 */
export async function* groupDocuments(lines: AsyncIterable<TextLine> | Iterable<TextLine>, source: string): AsyncGenerator<TextDocument> {
  let sentences: string[] = [];
  let firstLine = 0;
  let index = 0;
  for await (const { lineNo, text } of lines) {
    if (isBlank(text)) {
      if (sentences.length > 0) yield { index: index++, firstLine, sentences };
      sentences = [];
      continue;
    }
    if (sentences.length === 0) firstLine = lineNo;
    sentences.push(text.trim());
  }
  if (sentences.length > 0) yield { index: index++, firstLine, sentences };
  if (index === 0) {
    throw new EmptyCorpusError(`${source}: empty corpus (no non-blank line); expected one sentence per line, documents separated by blank lines`, {
      file: source,
    });
  }
}

/** Streams the documents of a corpus file (see readLines for the errors). */
export function readDocuments(file: string, options: ReadLinesOptions = {}): AsyncGenerator<TextDocument> {
  return groupDocuments(readLines(file, options), file);
}

/** Streams every sentence of a corpus file, in order, ignoring document boundaries. */
export async function* readSentences(file: string, options: ReadLinesOptions = {}): AsyncGenerator<string> {
  for await (const doc of readDocuments(file, options)) yield* doc.sentences;
}

/** The documents of an in-memory text (tests, small inputs); same rules as readDocuments. */
export async function parseDocuments(text: string, source = '<string>'): Promise<TextDocument[]> {
  const lines = text.split('\n').map((t, i) => ({ lineNo: i + 1, text: t.endsWith('\r') ? t.slice(0, -1) : t }));
  const docs: TextDocument[] = [];
  for await (const d of groupDocuments(lines, source)) docs.push(d);
  return docs;
}
