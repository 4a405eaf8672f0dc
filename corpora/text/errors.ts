import { PretextError } from '../../util/errors.ts';

/** Base of the text-corpus errors; `context.file` always names the corpus file. */
export class CorpusError extends PretextError {}

/** The file cannot be opened or read (missing, a directory, no permission...). */
export class CorpusReadError extends CorpusError {}

/** The file is not text: it holds NUL bytes or is not valid UTF-8. Names the line. */
export class BinaryCorpusError extends CorpusError {}

/** The file has no sentence at all (zero bytes, or only blank lines). */
export class EmptyCorpusError extends CorpusError {}

/** A single line is longer than the reader's limit (usually a binary file with no newline). */
export class LineTooLongError extends CorpusError {}
