export { CorpusError, CorpusReadError, BinaryCorpusError, EmptyCorpusError, LineTooLongError } from './errors.ts';
export { readLines } from './readLines.ts';
export type { TextLine, ReadLinesOptions } from './readLines.ts';
export { groupDocuments, readDocuments, readSentences, parseDocuments } from './documents.ts';
export type { TextDocument } from './documents.ts';
