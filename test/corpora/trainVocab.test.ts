import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  basicTokenize, countWords, createWordPieceTokenizer, trainVocabFromWordCounts, trainWordPieceVocab, VocabTrainingError,
} from '../../corpora/tokenizer/index.ts';

const sentence = fc.array(fc.string({ unit: fc.constantFrom(...'abcdeéfg'), minLength: 1, maxLength: 9 }), { minLength: 1, maxLength: 8 }).map((ws) => ws.join(' '));
const corpus = fc.array(sentence, { minLength: 1, maxLength: 25 });

describe('WordPiece vocabulary training', () => {
  it('is deterministic and independent of corpus order', async () => {
    await fc.assert(
      fc.asyncProperty(corpus, fc.integer({ min: 20, max: 120 }), async (texts, vocabSize) => {
        const a = await trainWordPieceVocab(texts, { vocabSize, minFrequency: 1 });
        const b = await trainWordPieceVocab([...texts].reverse(), { vocabSize, minFrequency: 1 });
        expect(b.tokens).toEqual(a.tokens);
      }),
      { numRuns: 40 },
    );
  });

  it('respects the size target, covers every training word without [UNK], has no duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(corpus, fc.integer({ min: 30, max: 200 }), async (texts, vocabSize) => {
        const vocab = await trainWordPieceVocab(texts, { vocabSize, minFrequency: 1 });
        expect(vocab.size).toBeLessThanOrEqual(vocabSize);
        expect(new Set(vocab.tokens).size).toBe(vocab.size);
        const tok = createWordPieceTokenizer(vocab);
        for (const t of texts) {
          const ids = tok.encode(t);
          expect(Array.from(ids)).not.toContain(vocab.specials.unk);
          expect(tok.decode(ids)).toBe(basicTokenize(t).join(' '));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('grows to the target when enough pairs exist, and whole frequent words become single tokens', async () => {
    const texts = Array.from({ length: 50 }, (_, i) => `the quick brown fox number ${i % 5} jumps over the lazy dog`);
    const vocab = await trainWordPieceVocab(texts, { vocabSize: 200, minFrequency: 2 });
    const tok = createWordPieceTokenizer(vocab);
    for (const w of ['the', 'quick', 'brown', 'jumps', 'lazy']) expect(tok.tokenize(w)).toEqual([w]);
    // Fewer pieces with more merges.
    const small = createWordPieceTokenizer(await trainWordPieceVocab(texts, { vocabSize: 40, minFrequency: 2 }));
    const count = (t: typeof tok): number => texts.reduce((n, s) => n + t.encode(s).length, 0);
    expect(count(tok)).toBeLessThan(count(small));
  });

  it('minFrequency drops rare merges and rare characters', async () => {
    const counts = await countWords(['aaa bbb', 'aaa', 'aaa', 'xyz']);
    expect(counts.get('aaa')).toBe(3);
    const vocab = trainVocabFromWordCounts(counts, { vocabSize: 100, minFrequency: 3 });
    expect(vocab.idOf('x')).toBeUndefined(); // seen once
    expect(vocab.idOf('b')).toBeUndefined();
    expect(vocab.idOf('aaa')).toBeDefined();
    for (const t of vocab.tokens.slice(5)) expect(['a', '##a', '##aa', 'aa', 'aaa']).toContain(t);
  });

  it('a target below specials + alphabet is a VocabTrainingError saying the size needed', () => {
    const counts = new Map([['abcdef', 5]]);
    expect(() => trainVocabFromWordCounts(counts, { vocabSize: 8 })).toThrow(VocabTrainingError);
    expect(() => trainVocabFromWordCounts(counts, { vocabSize: 8 })).toThrow(/at least 11/);
  });
});
