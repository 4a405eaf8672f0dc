import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDataset } from '../../corpora/dataset/index.ts';
import { generateGrammar, parseRuleText, readGrammarFile, sampleSentences, sentenceAt, sentenceText, writeGrammarFile } from '../../corpora/pcfg/index.ts';
import { createWordPieceTokenizer, readVocabFile } from '../../corpora/tokenizer/index.ts';
import { foldIn, key } from '../../prng/index.ts';
import { makeTmpDir } from './tmpDir.ts';
import { runCli as run } from '../helpers/runCli.ts';

afterEach(() => vi.restoreAllMocks());

const dir = makeTmpDir();
const rules = join(dir, 'rules.txt');
writeGrammarFile(rules, generateGrammar(key(4))); // all its nonterminals are reachable: --rules rejects unreachable ones

describe('pretext pcfg generate', () => {
  const out = join(dir, 'gen');
  const N = 17_000; // more than one sampling chunk

  it('writes grammar.txt, vocab.txt, train/valid shards and the manifest; rows are the sampler\'s sentences', async () => {
    const r = await run(['pcfg', 'generate', '--out', out, '--rules', rules, '--sentences', String(N), '--seed', '9', '--rows-per-shard', '5000', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ train: N, valid: 170, seqLen: 32 });

    const g = readGrammarFile(rules);
    // grammar.txt is the grammar used, in rule-file format
    expect(parseRuleText(readFileSync(join(out, 'grammar.txt'), 'utf8'))).toEqual(g);
    // vocab.txt: the specials, then every word of the grammar, each a single token
    const vocab = readVocabFile(join(out, 'vocab.txt'));
    expect(vocab.tokens.slice(5)).toEqual([...g.terminals].sort());
    const tok = createWordPieceTokenizer(vocab);

    const ds = openDataset(out, { verify: 'sha256' });
    expect(ds.manifest.provenance).toMatchObject({ command: 'pcfg generate', grammarSource: { rules }, grammarFile: 'grammar.txt', seed: 9, sentences: N });
    expect(ds.manifest.vocab?.file).toBe('vocab.txt');
    expect([...ds.splitNames].sort()).toEqual(['train', 'valid']);
    for (const [split, stream, count] of [['train', 0, N], ['valid', 1, 170]] as const) {
      const data = ds.split(split).readRange(0, count);
      const ref = sampleSentences(g, foldIn(key(9), stream), count, { maxLength: 30 });
      for (let s = 0; s < count; s += s < 50 ? 1 : 997) {
        const text = sentenceText(g, sentenceAt(ref, s));
        const row = Array.from(data.fields.inputIds!.subarray(s * 32, (s + 1) * 32));
        const len = data.fields.lengths![s]!;
        expect(row.slice(0, len)).toEqual([vocab.specials.cls, ...tok.encode(text), vocab.specials.sep]);
        expect(tok.encode(text).length).toBe(sentenceAt(ref, s).length); // one token per word
        expect(row.slice(len).every((x) => x === vocab.specials.pad)).toBe(true);
        expect(data.fields.blockIds![s]).toBe(s);
      }
    }
    ds.close();
  });

  it('is deterministic: the same flags give byte-identical shards; --grammar-seed works too', async () => {
    const again = join(dir, 'gen-again');
    expect((await run(['pcfg', 'generate', '--out', again, '--rules', rules, '--sentences', String(N), '--seed', '9', '--rows-per-shard', '5000'])).code).toBe(0);
    expect(readFileSync(join(again, 'manifest.json'), 'utf8').replace(again, out)).toBe(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const seeded = join(dir, 'gen-seeded');
    const r = await run(['pcfg', 'generate', '--out', seeded, '--grammar-seed', '4', '--sentences', '300', '--seed', '1', '--valid-sentences', '0']);
    expect(r.code).toBe(0);
    const ds = openDataset(seeded);
    expect(ds.splitNames).toEqual(['train']);
    expect(ds.manifest.provenance).toMatchObject({ grammarSource: { grammarSeed: 4 } });
    expect(readFileSync(join(seeded, 'grammar.txt'), 'utf8')).toBe(readFileSync(rules, 'utf8')); // seed 4 = the rule file above
  });

  it('bad invocations exit 2 with a message naming the problem', async () => {
    const noGrammar = await run(['pcfg', 'generate', '--out', join(dir, 'x'), '--sentences', '10', '--seed', '1']);
    expect(noGrammar.code).toBe(2);
    expect(noGrammar.err).toMatch(/--rules FILE and --grammar-seed N/);
    const badCount = await run(['pcfg', 'generate', '--out', join(dir, 'x'), '--rules', rules, '--sentences', 'many', '--seed', '1']);
    expect(badCount.code).toBe(2);
    expect(badCount.err).toMatch(/sentences/);
    const exists = await run(['pcfg', 'generate', '--out', out, '--rules', rules, '--sentences', '10', '--seed', '1']);
    expect(exists.code).toBe(2);
    expect(exists.err).toMatch(/already holds a dataset/);
  });
});

describe('pretext corpus stats', () => {
  it('--json prints one object whose counts match the dataset', async () => {
    const out = join(dir, 'gen');
    const r = await run(['corpus', 'stats', out, '--json', '--top', '3']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.splits.map((s: { split: string; rows: number }) => [s.split, s.rows])).toEqual([['train', 17_000], ['valid', 170]]);
    const train = j.lengthHistogram.filter((h: { split: string }) => h.split === 'train');
    expect(train.reduce((a: number, h: { rows: number }) => a + h.rows, 0)).toBe(17_000);
    expect(j.tokenCounts.filter((t: { split: string }) => t.split === 'train')).toHaveLength(3);
    expect(j.tokenCounts[0]).toMatchObject({ token: '[CLS]', count: 17_000 });
  });

  it('prints readable tables without --json', async () => {
    const r = await run(['corpus', 'stats', join(dir, 'gen'), '--split', 'valid']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('## length histogram');
    expect(r.out).toMatch(/\|valid\|170\|/);
  });

  it('missing and incomplete datasets exit 2 with a clear message', async () => {
    const missing = await run(['corpus', 'stats', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such dataset directory/);
    const broken = join(dir, 'broken');
    await run(['pcfg', 'generate', '--out', broken, '--rules', rules, '--sentences', '50', '--seed', '1']);
    rmSync(join(broken, 'manifest.json'));
    const incomplete = await run(['corpus', 'stats', broken]);
    expect(incomplete.code).toBe(2);
    expect(incomplete.err).toMatch(/incomplete dataset/);
  });
});

describe('pretext corpus vocab / build', () => {
  const corpus = join(dir, 'corpus.txt');
  writeFileSync(corpus, 'The cat sat on the mat.\nThe dog sat too.\n\nA cat and a dog!\r\nThey sat together.\n');

  it('trains a vocab, then builds sentence / packed / complete datasets that decode back to the text', async () => {
    const vocabFile = join(dir, 'vocab.txt');
    const v = await run(['corpus', 'vocab', '--input', corpus, '--out', vocabFile, '--vocab-size', '200', '--min-frequency', '1']);
    expect(v.code).toBe(0);
    const tok = createWordPieceTokenizer(readVocabFile(vocabFile));
    for (const mode of ['sentence', 'packed', 'complete']) {
      const out = join(dir, `built-${mode}`);
      const r = await run(['corpus', 'build', '--input', corpus, '--vocab', vocabFile, '--out', out, '--seq-len', '12', '--mode', mode, '--json']);
      expect(r.code).toBe(0);
      const ds = openDataset(out, { verify: 'sha256' });
      const split = ds.split();
      const rows = split.readRange(0, split.rows);
      const text = Array.from({ length: split.rows }, (_, i) =>
        tok.decode(rows.fields.inputIds!.subarray(i * 12, i * 12 + rows.fields.lengths![i]!), { skipSpecials: true })).join(' ');
      if (mode === 'packed') expect('the cat sat on the mat . the dog sat too . a cat and a dog ! they sat together .'.startsWith(text)).toBe(true);
      else expect(text).toBe('the cat sat on the mat . the dog sat too . a cat and a dog ! they sat together .');
      expect(existsSync(join(out, 'vocab.txt'))).toBe(true);
    }
  });

  it('an empty corpus and a vocab without [MASK] are clear errors (exit 2)', async () => {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '\n\n');
    const e = await run(['corpus', 'vocab', '--input', empty, '--out', join(dir, 'v2.txt'), '--vocab-size', '50']);
    expect(e.code).toBe(2);
    expect(e.err).toContain(`${empty}: empty corpus`);
    const noMask = join(dir, 'nomask.txt');
    writeFileSync(noMask, '[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n');
    const b = await run(['corpus', 'build', '--input', corpus, '--vocab', noMask, '--out', join(dir, 'nm'), '--seq-len', '8', '--mode', 'sentence']);
    expect(b.code).toBe(2);
    expect(b.err).toContain(noMask);
    expect(b.err).toContain('[MASK]');
  });
});
