import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { CsvFormatError, EmptyFileError, MissingColumnError } from './errors.ts';

/** A CSV or TSV file with a header row, read whole. */
export interface Table {
  readonly file: string;
  readonly columns: readonly string[];
  /** Data rows, each with one string per column. */
  readonly rows: readonly (readonly string[])[];
  /** The file line each data row ends on (1-based), for messages. */
  readonly lines: readonly number[];
}

/** Tab for .tsv/.tab files, comma otherwise. */
export const delimiterOf = (file: string): string => (['.tsv', '.tab'].includes(extname(file).toLowerCase()) ? '\t' : ',');

/**
 * Reads a CSV (TSV for .tsv/.tab) file with a header: RFC 4180 quoting, so fields may hold the
 * delimiter, quotes and line breaks; lines end in LF, CRLF or CR (even mixed); a BOM and empty
 * lines are skipped; quotes inside unquoted fields are kept as text (as pandas does). Every row
 * must have as many fields as the header.
 */
export function readTable(file: string): Table {
  if (!existsSync(file) || !statSync(file).isFile()) throw new CsvFormatError(`${file}: no such file`, { file });
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(readFileSync(file), {
      delimiter: delimiterOf(file), record_delimiter: ['\r\n', '\n', '\r'], bom: true, skip_empty_lines: true, relax_quotes: true, info: true,
    }) as never;
  } catch (e) {
    if (e instanceof CsvError) throw new CsvFormatError(`${file}: ${e.message}`, { file, code: e.code });
    throw e;
  }
  if (records.length === 0) throw new EmptyFileError(`${file}: empty file (no header row)`, { file });
  const columns = records[0]!.record.map((c) => c.trim());
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new CsvFormatError(`${file}: column "${c}" appears twice in the header`, { file, column: c });
    seen.add(c);
  }
  if (records.length === 1) throw new EmptyFileError(`${file}: a header (${columns.join(', ')}) but no rows`, { file, columns });
  return { file, columns, rows: records.slice(1).map((r) => r.record), lines: records.slice(1).map((r) => r.info.lines) };
}

/** The values of one column; MissingColumnError names the file, the column and the columns there are. */
export function tableColumn(t: Table, column: string, flag?: string): readonly string[] {
  const i = t.columns.indexOf(column);
  if (i < 0) {
    throw new MissingColumnError(`${t.file}: no column "${column}"${flag ? ` (${flag})` : ''}; its columns are ${t.columns.map((c) => `"${c}"`).join(', ')}`, {
      file: t.file, column, columns: t.columns,
    });
  }
  return t.rows.map((r) => r[i]!);
}

/** A field quoted (RFC 4180) only when it holds the delimiter, a quote or a line break. */
const field = (s: string, delimiter: string): string => (s.includes(delimiter) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** CSV (TSV for .tsv/.tab files) text of a header and rows, as readTable reads it back. */
export function formatTable(file: string, columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const d = delimiterOf(file);
  return [columns, ...rows].map((r) => r.map((v) => field(v, d)).join(d)).join('\n') + '\n';
}
