import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildRows, collectBatch, completeBlockBuilder, packedBlockBuilder, sentenceInstanceBuilder, SequenceTooLongError, type SequenceRow,
} from '../../corpora/sequences/index.ts';

const SP = { pad: 0, cls: 1, sep: 2 };
// Ordinary token ids start at 5 so specials are recognisable.
const sentence = fc.array(fc.integer({ min: 5, max: 50 }), { minLength: 0, maxLength: 12 });
const sentences = fc.array(sentence, { minLength: 0, maxLength: 25 });
const flat = (xs: ArrayLike<number>[]): number[] => xs.flatMap((x) => Array.from(x));

describe('sentence-per-instance sequences', () => {
  it('row r = [CLS] sentence_r [SEP] then padding; mask, lengths and ids agree', () => {
    fc.assert(
      fc.property(sentences, fc.integer({ min: 14, max: 20 }), fc.nat(1000), (ss, T, first) => {
        const b = collectBatch(sentenceInstanceBuilder({ seqLen: T, specials: SP, firstBlockId: first }), ss, T, SP.pad);
        expect(b.rows).toBe(ss.length);
        ss.forEach((s, r) => {
          const row = Array.from(b.inputIds.subarray(r * T, (r + 1) * T));
          expect(row).toEqual([SP.cls, ...s, SP.sep, ...Array(T - s.length - 2).fill(SP.pad)]);
          expect(Array.from(b.attentionMask.subarray(r * T, (r + 1) * T))).toEqual(row.map((_, i) => (i < s.length + 2 ? 1 : 0)));
          expect(b.lengths[r]).toBe(s.length + 2);
          expect(b.blockIds[r]).toBe(first + r);
        });
      }),
    );
  });

  it("a sentence that does not fit: SequenceTooLongError naming it, or truncation keeping [SEP]", () => {
    const long = [5, 6, 7, 8, 9, 10];
    const err = (() => { try { collectBatch(sentenceInstanceBuilder({ seqLen: 6, specials: SP }), [[5], long], 6, 0); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(SequenceTooLongError);
    expect((err as SequenceTooLongError).context).toMatchObject({ sentence: 1, length: 6, seqLen: 6 });
    const b = collectBatch(sentenceInstanceBuilder({ seqLen: 6, specials: SP, overflow: 'truncate' }), [long], 6, 0);
    expect(Array.from(b.inputIds)).toEqual([SP.cls, 5, 6, 7, 8, SP.sep]);
  });
});

describe('packed fixed-length blocks (TACO)', () => {
  it('rows are consecutive T-slices of the [CLS] t [SEP] stream, remainder dropped, no padding', () => {
    fc.assert(
      fc.property(sentences, fc.integer({ min: 1, max: 16 }), (ss, T) => {
        const b = collectBatch(packedBlockBuilder({ seqLen: T, specials: SP }), ss, T, SP.pad);
        const stream = ss.flatMap((s) => [SP.cls, ...s, SP.sep]);
        const rows = Math.floor(stream.length / T);
        expect(b.rows).toBe(rows);
        expect(Array.from(b.inputIds)).toEqual(stream.slice(0, rows * T));
        expect(b.attentionMask.every((m) => m === 1)).toBe(true);
        expect(Array.from(b.lengths)).toEqual(Array(rows).fill(T));
        expect(Array.from(b.blockIds)).toEqual(Array.from({ length: rows }, (_, i) => i));
      }),
    );
  });
});

describe('fairseq complete blocks (SE)', () => {
  const build = (ss: number[][], T: number, overlong?: 'split' | 'truncate' | 'error'): SequenceRow[] =>
    [...buildRows(completeBlockBuilder({ seqLen: T, specials: SP, ...(overlong ? { overlong } : {}) }), ss)];

  it('blocks start with <s>, hold at most T-1 tokens of whole sentences, greedily, in order', () => {
    fc.assert(
      fc.property(sentences, fc.integer({ min: 14, max: 24 }), (ss, T) => {
        const rows = build(ss, T); // every sentence + [SEP] fits in T - 1 here
        expect(rows.map((r) => r.blockId)).toEqual(rows.map((_, i) => i));
        for (const r of rows) {
          expect(r.tokens[0]).toBe(SP.cls);
          expect(r.tokens.length).toBeLessThanOrEqual(T);
          expect(r.tokens[r.tokens.length - 1]).toBe(SP.sep); // ends at a sentence boundary
        }
        // Content is the sentence stream with </s> after each sentence, nothing lost or reordered.
        expect(flat(rows.map((r) => r.tokens.subarray(1)))).toEqual(ss.flatMap((s) => [...s, SP.sep]));
        // Greedy: the next block's first sentence would not have fitted in the previous block.
        for (let i = 0; i + 1 < rows.length; i++) {
          const nextSentenceLen = rows[i + 1]!.tokens.indexOf(SP.sep, 1);
          expect(rows[i]!.tokens.length - 1 + nextSentenceLen).toBeGreaterThan(T - 1);
        }
      }),
    );
  });

  it('block ids are stable: a prefix of the corpus gives the same leading blocks', () => {
    fc.assert(
      fc.property(sentences, fc.nat(), fc.integer({ min: 14, max: 24 }), (ss, cut, T) => {
        const k = ss.length ? cut % ss.length : 0;
        const full = build(ss, T);
        const prefix = build(ss.slice(0, k), T);
        prefix.slice(0, -1).forEach((r, i) => {
          expect(r.blockId).toBe(full[i]!.blockId);
          expect(Array.from(r.tokens)).toEqual(Array.from(full[i]!.tokens));
        });
      }),
    );
  });

  it('overlong sentences: split into T-1 pieces, truncate, or error', () => {
    const long = Array.from({ length: 10 }, (_, i) => 10 + i); // 11 with [SEP]
    const split = build([[5], long, [6]], 5);
    expect(split.map((r) => Array.from(r.tokens))).toEqual([
      [1, 5, 2], [1, 10, 11, 12, 13], [1, 14, 15, 16, 17], [1, 18, 19, 2], [1, 6, 2],
    ]);
    expect(build([long], 5, 'truncate').map((r) => Array.from(r.tokens))).toEqual([[1, 10, 11, 12, 13]]);
    expect(() => build([long], 5, 'error')).toThrow(SequenceTooLongError);
  });
});
