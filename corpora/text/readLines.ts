import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { BinaryCorpusError, CorpusError, CorpusReadError, LineTooLongError } from './errors.ts';

/** One line of a text file, without its line terminator ("\n" or "\r\n"). lineNo is 1-based. */
export interface TextLine {
  readonly lineNo: number;
  readonly text: string;
}

export interface ReadLinesOptions {
  /** Longest line accepted, in bytes (default 16 MiB): bounds memory on files with no newlines. */
  readonly maxLineBytes?: number;
  /** Read chunk size in bytes (default 64 KiB). */
  readonly chunkBytes?: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

/**
 * Streams the lines of a UTF-8 text file. Memory is bounded by one chunk plus the longest line,
 * whatever the file size. A leading byte-order mark is dropped; "\r\n" ends a line like "\n".
 * Throws CorpusReadError (cannot read), BinaryCorpusError (NUL byte or invalid UTF-8, naming the
 * line), LineTooLongError.
 */
export async function* readLines(file: string, options: ReadLinesOptions = {}): AsyncGenerator<TextLine> {
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  const stream = createReadStream(file, { highWaterMark: options.chunkBytes ?? 64 * 1024 });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 0;

  const finishLine = (bytes: Buffer): TextLine => {
    lineNo++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    let start = 0;
    if (lineNo === 1 && end >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
    const body = bytes.subarray(start, end);
    if (body.includes(NUL)) {
      throw new BinaryCorpusError(`${file}:${lineNo}: contains a NUL byte; this looks like a binary file, not a text corpus`, {
        file,
        line: lineNo,
      });
    }
    if (!isUtf8(body)) {
      throw new BinaryCorpusError(`${file}:${lineNo}: is not valid UTF-8 (binary file or another encoding?)`, { file, line: lineNo });
    }
    return { lineNo, text: body.toString('utf8') };
  };

  const tooLong = (): never => {
    throw new LineTooLongError(`${file}:${lineNo + 1}: line longer than ${maxLineBytes} bytes (binary file, or raise maxLineBytes)`, {
      file,
      line: lineNo + 1,
      maxLineBytes,
    });
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let nl = chunk.indexOf(NEWLINE, from); nl !== -1; nl = chunk.indexOf(NEWLINE, from)) {
        const piece = chunk.subarray(from, nl);
        if (pendingBytes + piece.length > maxLineBytes) tooLong();
        const line = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        pendingBytes = 0;
        from = nl + 1;
        yield finishLine(line);
      }
      if (from < chunk.length) {
        const rest = chunk.subarray(from);
        // An early NUL check keeps a huge binary blob without newlines from being buffered whole.
        if (rest.includes(NUL)) finishLine(Buffer.concat([...pending, rest]));
        pending.push(rest);
        pendingBytes += rest.length;
        if (pendingBytes > maxLineBytes) tooLong();
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && !(e instanceof CorpusError)) {
      throw new CorpusReadError(`${file}: cannot read corpus (${code}: ${(e as Error).message})`, { file, code });
    }
    throw e;
  } finally {
    stream.destroy();
  }
  if (pendingBytes > 0) yield finishLine(Buffer.concat(pending));
}
