import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BinaryCorpusError, CorpusReadError, EmptyCorpusError, LineTooLongError, parseDocuments, readDocuments, readLines, readSentences,
} from '../../corpora/text/index.ts';
import { makeTmpDir } from './tmpDir.ts';

const dir = makeTmpDir();
let n = 0;
const file = (content: string | Uint8Array): string => {
  const p = join(dir, `corpus-${n++}.txt`);
  writeFileSync(p, content);
  return p;
};
const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('plain-text corpus reader', () => {
  it('splits documents on blank lines (runs of blanks, whitespace-only lines, leading/trailing blanks)', async () => {
    const p = file('\n\nfirst sentence.\nsecond sentence.\n\n  \t\n\nthird.\n\n\nfourth.\nfifth.\n\n');
    const docs = await collect(readDocuments(p));
    expect(docs.map((d) => d.sentences)).toEqual([['first sentence.', 'second sentence.'], ['third.'], ['fourth.', 'fifth.']]);
    expect(docs.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(docs.map((d) => d.firstLine)).toEqual([3, 8, 11]);
  });

  it('treats CRLF like LF, strips a BOM, reads a last line without newline', async () => {
    const p = file('\ufeffone\r\ntwo\r\n\r\nthree');
    expect((await collect(readDocuments(p))).map((d) => d.sentences)).toEqual([['one', 'two'], ['three']]);
    expect(await collect(readSentences(p))).toEqual(['one', 'two', 'three']);
  });

  it('streams lines across chunk boundaries, multi-byte characters included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\r\n\0]/g, '')), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 7 }), async (lines, chunk) => {
        const p = file(lines.join('\n'));
        const got = await collect(readLines(p, { chunkBytes: chunk }));
        // A final "\n" ends the last line rather than starting an empty one.
        const expected = lines.join('\n').split('\n');
        if (expected[expected.length - 1] === '') expected.pop();
        expect(got.map((l) => l.text)).toEqual(expected.map((l, i) => (i === 0 ? l.replace(/^\ufeff/, '') : l)));
        expect(got.map((l) => l.lineNo)).toEqual(expected.map((_, i) => i + 1));
      }),
      { numRuns: 40 },
    );
  });

  it('empty file, or only blank lines -> EmptyCorpusError naming the file', async () => {
    for (const content of ['', '\n\n  \n\r\n']) {
      const p = file(content);
      const err = await collect(readDocuments(p)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EmptyCorpusError);
      expect((err as Error).message).toContain(p);
    }
  });

  it('NUL bytes -> BinaryCorpusError naming file and line', async () => {
    const p = file(Buffer.from('fine line\nsecond\nbad\0line\n'));
    const err = await collect(readDocuments(p)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BinaryCorpusError);
    expect((err as Error).message).toContain(`${p}:3`);
    expect((err as BinaryCorpusError).context).toMatchObject({ file: p, line: 3 });
  });

  it('invalid UTF-8 -> BinaryCorpusError naming the line', async () => {
    const p = file(Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xc3, 0x28, 0x0a])]));
    const err = await collect(readLines(p)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BinaryCorpusError);
    expect((err as BinaryCorpusError).context).toMatchObject({ line: 2 });
  });

  it('a binary blob without newlines fails before being buffered whole', async () => {
    const p = file(new Uint8Array(1 << 20).fill(7));
    const err = await collect(readLines(p, { maxLineBytes: 1000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LineTooLongError);
  });

  it('missing file or directory -> CorpusReadError naming the path', async () => {
    const missing = join(dir, 'nope.txt');
    const e1 = await collect(readDocuments(missing)).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(CorpusReadError);
    expect((e1 as Error).message).toContain(missing);
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect(await collect(readDocuments(sub)).catch((e: unknown) => e)).toBeInstanceOf(CorpusReadError);
  });

  it('parseDocuments follows the same rules as the file reader', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('a b', 'c', '', ' ', 'd e f', '\r'), { maxLength: 20 }), async (lines) => {
        const text = lines.join('\n');
        const fromString = await parseDocuments(text).catch((e: unknown) => e);
        const fromFile = await collect(readDocuments(file(text))).catch((e: unknown) => e);
        if (fromString instanceof Error) expect(fromFile).toBeInstanceOf(EmptyCorpusError);
        else expect(fromString).toEqual(fromFile);
      }),
      { numRuns: 40 },
    );
  });
});
