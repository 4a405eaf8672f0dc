import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  basicTokenize, buildWordLevelVocab, createVocab, createWordPieceTokenizer, DuplicateTokenError, MissingSpecialTokenError,
  readVocabFile, SPECIAL_TOKENS, VocabError, wordpieceSplit, writeVocabFile,
} from '../../corpora/tokenizer/index.ts';
import { makeTmpDir } from './tmpDir.ts';

const dir = makeTmpDir();
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const word = fc.string({ unit: fc.constantFrom(...'abcdefghij'), minLength: 1, maxLength: 8 });

describe('basic tokenization (BERT rules)', () => {
  it('lowercases, strips accents, splits punctuation and CJK, drops control characters', () => {
    expect(basicTokenize('  Héllo,\tWORLD!\u0000 naïve\u200b 中文 a$b  ')).toEqual(['hello', ',', 'world', '!', 'naive', '中', '文', 'a', '$', 'b']);
    expect(basicTokenize('Héllo', { lowercase: false })).toEqual(['Héllo']);
    expect(basicTokenize('Héllo', { lowercase: true, stripAccents: false })).toEqual(['héllo']);
  });

  it('output tokens never contain whitespace and are never empty', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        for (const t of basicTokenize(s)) expect(t).toMatch(/^\S+$/u);
      }),
    );
  });
});

describe('WordPiece', () => {
  const vocab = createVocab([...SPECIALS, 'un', '##aff', '##able', 'a', 'ab', '##c', '##bc', 'want', '##ed', ',', 'runn', '##ing']);
  const tok = createWordPieceTokenizer(vocab);

  it('greedy longest-match-first with ## continuations', () => {
    expect(tok.tokenize('unaffable')).toEqual(['un', '##aff', '##able']);
    expect(tok.tokenize('abc')).toEqual(['ab', '##c']); // longest prefix first, not a + ##bc
    expect(tok.tokenize('UNwanted, running')).toEqual(['[UNK]', ',', 'runn', '##ing']);
  });

  it('a word longer than maxCharsPerWord is [UNK]', () => {
    const short = createWordPieceTokenizer(vocab, { maxCharsPerWord: 4 });
    expect(short.tokenize('unaffable abc')).toEqual(['[UNK]', 'ab', '##c']);
    expect(wordpieceSplit('xyz', () => false, { maxCharsPerWord: 10, continuationPrefix: '##', unkToken: '[UNK]' })).toEqual(['[UNK]']);
  });

  it('special-token strings in the text stay whole', () => {
    expect(tok.tokenize('a [MASK] ab[SEP]')).toEqual(['a', '[MASK]', 'ab', '[SEP]']);
    expect(Array.from(tok.encode('[CLS] a'))).toEqual([vocab.specials.cls, vocab.idOf('a')]);
  });

  it('decode(encode(x)) = x for in-vocabulary normalised text', () => {
    fc.assert(
      fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { minLength: 1, maxLength: 15 }), (words, picks) => {
        const t = createWordPieceTokenizer(createVocab([...SPECIALS, ...words, ',', '.']));
        const pool = [...words, ',', '.'];
        const text = picks.map((i) => pool[i % pool.length]).join(' ');
        expect(t.decode(t.encode(text))).toBe(text);
      }),
    );
  });

  it('decode skips specials on request', () => {
    const ids = [vocab.specials.cls, vocab.idOf('un')!, vocab.idOf('##aff')!, vocab.specials.sep, vocab.specials.pad];
    expect(tok.decode(ids)).toBe('[CLS] unaff [SEP] [PAD]');
    expect(tok.decode(ids, { skipSpecials: true })).toBe('unaff');
  });
});

describe('vocab.txt', () => {
  it('write/read round trip keeps ids and specials', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(word, word.map((w) => `##${w}`)), { maxLength: 30 }), fc.nat(), (extra, seed) => {
        const tokens = [...extra];
        SPECIALS.forEach((s, i) => tokens.splice((seed + i * 7) % (tokens.length + 1), 0, s));
        const file = join(dir, 'vocab-rt.txt');
        writeVocabFile(file, createVocab(tokens));
        const back = readVocabFile(file);
        expect(back.tokens).toEqual(tokens);
        for (const r of ['pad', 'unk', 'cls', 'sep', 'mask'] as const) expect(back.tokens[back.specials[r]]).toBe(SPECIAL_TOKENS[r]);
        expect(readFileSync(file, 'utf8')).toBe(tokens.join('\n') + '\n');
      }),
      { numRuns: 30 },
    );
  });

  it('reads CRLF vocab files', () => {
    const file = join(dir, 'crlf.txt');
    writeFileSync(file, [...SPECIALS, 'hello'].join('\r\n') + '\r\n');
    expect(readVocabFile(file).idOf('hello')).toBe(5);
  });

  it('a vocab without [MASK] is a MissingSpecialTokenError naming the file and the token', () => {
    const file = join(dir, 'no-mask.txt');
    writeFileSync(file, ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello'].join('\n'));
    const err = (() => { try { readVocabFile(file); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(MissingSpecialTokenError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain('[MASK]');
  });

  it('a duplicate token is a DuplicateTokenError naming the line', () => {
    const file = join(dir, 'dup.txt');
    writeFileSync(file, [...SPECIALS, 'hello', 'world', 'hello'].join('\n'));
    expect(() => readVocabFile(file)).toThrow(DuplicateTokenError);
    expect(() => readVocabFile(file)).toThrow(`${file}:8`);
  });

  it('blank lines, missing files and empty files are VocabErrors naming the file', () => {
    const blank = join(dir, 'blank.txt');
    writeFileSync(blank, [...SPECIALS, '', 'x'].join('\n'));
    expect(() => readVocabFile(blank)).toThrow(`${blank}:6`);
    expect(() => readVocabFile(join(dir, 'missing.txt'))).toThrow(VocabError);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    expect(() => readVocabFile(empty)).toThrow(/empty vocabulary/);
  });
});

describe('word-level vocabulary (PCFG)', () => {
  // A sample of terminals as they appear in PCFG rule files: lowercase English words.
  const words = ['abandoned', 'achieved', 'acres', 'bishop', 'cheerful', 'marble', 'abandoned', 'zeal'];

  it('every word is exactly one token, specials first', () => {
    const vocab = buildWordLevelVocab(words);
    expect(vocab.tokens.slice(0, 5)).toEqual(SPECIALS);
    expect(vocab.size).toBe(5 + new Set(words).size);
    const tok = createWordPieceTokenizer(vocab);
    for (const w of words) expect(Array.from(tok.encode(w))).toEqual([vocab.idOf(w)]);
    const sentence = 'marble zeal abandoned acres';
    expect(tok.encode(sentence).length).toBe(4);
    expect(tok.decode(tok.encode(sentence))).toBe(sentence);
  });

  it('random lowercase word sets: one token per word, round trip', () => {
    fc.assert(
      fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 50 }), (ws) => {
        const vocab = buildWordLevelVocab(ws);
        const tok = createWordPieceTokenizer(vocab);
        const text = ws.join(' ');
        expect(tok.encode(text).length).toBe(ws.length);
        expect(tok.decode(tok.encode(text))).toBe(text);
      }),
    );
  });

  it('rejects words that are not single basic tokens, naming the word', () => {
    for (const bad of ["don't", 'Capital', 'two words', '##x', '[MASK]']) {
      expect(() => buildWordLevelVocab(['ok', bad])).toThrow(JSON.stringify(bad));
    }
  });
});
