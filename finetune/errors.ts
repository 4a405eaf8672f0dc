import { PretextError } from '../util/errors.ts';

/** Fine-tuning or a downstream data set cannot go on as asked; the message names the file, column, row or option. */
export class DownstreamError extends PretextError {}

/** A CSV/TSV file that does not parse (unbalanced quotes, a row with too many fields...). */
export class CsvFormatError extends DownstreamError {}

/** A CSV/TSV file with no header or no data rows. */
export class EmptyFileError extends DownstreamError {}

/** A column the task needs is not in a file's header. */
export class MissingColumnError extends DownstreamError {}

/** A validation (or prediction) row whose label the training file does not have, or an empty label. */
export class UnknownLabelError extends DownstreamError {}
