import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDataset } from '../../../corpora/dataset/index.ts';
import {
  GrammarVocabError, parseRuleText, sampleSentences, sentenceAt, sentenceText, terminalTokenIds,
} from '../../../corpora/pcfg/index.ts';
import { createWordPieceTokenizer, readVocabFile } from '../../../corpora/tokenizer/index.ts';
import { foldIn, key } from '../../../prng/index.ts';
import { makeTmpDir } from '../tmpDir.ts';
import { runCli } from '../../helpers/runCli.ts';

// A hand-written vocab.txt laid out like BERT's: [PAD] first, unused slots, the specials at
// 3..6, then whole words and continuation pieces, in no particular order.
const BERT_LIKE = ['[PAD]', '[unused0]', '[unused1]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '!', 'the', 'walks', 'apple', 'runs', '##s', 'pear', 'zebra'];
const RULES = 'S S1 1\nS1 A B 1\nA apple 0.5\nA pear 0.5\nB runs 0.5\nB walks 0.5\n';

describe('pcfg generate --vocab FILE (a BERT vocab.txt)', () => {
  const dir = makeTmpDir();
  const vocabFile = join(dir, 'vocab.txt');
  writeFileSync(vocabFile, BERT_LIKE.join('\n') + '\n');
  const rules = join(dir, 'rules.txt');
  writeFileSync(rules, RULES);
  const g = parseRuleText(RULES);

  it("maps each grammar word to its id in the vocabulary (terminal order), as BERT's tokenizer would", () => {
    const vocab = readVocabFile(vocabFile);
    const ids = terminalTokenIds(g, vocab);
    expect(Array.from(ids)).toEqual([10, 13, 11, 9]); // apple pear runs walks
    const tok = createWordPieceTokenizer(vocab);
    g.terminals.forEach((w, t) => expect(Array.from(tok.encode(w))).toEqual([ids[t]]));
  });

  it('writes rows of the vocabulary\'s ids and the vocabulary itself; the manifest names its source', async () => {
    const out = join(dir, 'ds');
    const r = await runCli(['pcfg', 'generate', '--out', out, '--rules', rules, '--vocab', vocabFile, '--sentences', '30', '--seed', '3', '--seq-len', '6', '--valid-sentences', '0', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ vocabSize: BERT_LIKE.length, vocabSource: vocabFile, train: 30 });
    expect(readVocabFile(join(out, 'vocab.txt')).tokens).toEqual(BERT_LIKE);
    const ds = openDataset(out, { verify: 'sha256' });
    expect(ds.manifest.provenance).toMatchObject({ vocabSource: vocabFile });
    const data = ds.split('train').readRange(0, 30);
    const ref = sampleSentences(g, foldIn(key(3), 0), 30, { maxLength: 4 });
    const tok = createWordPieceTokenizer(readVocabFile(vocabFile));
    for (let s = 0; s < 30; s++) {
      const row = Array.from(data.fields.inputIds!.subarray(s * 6, (s + 1) * 6));
      expect(row).toEqual([4, ...tok.encode(sentenceText(g, sentenceAt(ref, s))), 5, 0, 0]); // [CLS] w w [SEP] [PAD] [PAD]
    }
    ds.close();
  });

  it('a grammar word that is not one whole token is an error naming the vocabulary, the first words and the count; nothing is written', async () => {
    const bad = 'S S1 1\nS1 A A 1\n' + ['apple', 'Apple', 'pears', '##s', 'kiwi', 'fig', 'plum', 'lime'].map((w) => `A ${w} 0.125`).join('\n') + '\n';
    const badRules = join(dir, 'bad.txt');
    writeFileSync(badRules, bad);
    const message = `${vocabFile}: 7 of the grammar's 8 words are not one whole token of this vocabulary: "##s", "Apple", "fig", "kiwi", "lime" and 2 more`;
    expect(() => terminalTokenIds(parseRuleText(bad), readVocabFile(vocabFile))).toThrow(GrammarVocabError);
    expect(() => terminalTokenIds(parseRuleText(bad), readVocabFile(vocabFile))).toThrow(message);
    const out = join(dir, 'bad-ds');
    const r = await runCli(['pcfg', 'generate', '--out', out, '--rules', badRules, '--vocab', vocabFile, '--sentences', '5', '--seed', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing or malformed --vocab file is named', async () => {
    const missing = await runCli(['pcfg', 'generate', '--out', join(dir, 'm'), '--rules', rules, '--vocab', join(dir, 'none.txt'), '--sentences', '5', '--seed', '1']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`${join(dir, 'none.txt')}: cannot read vocabulary`);
    const noMask = join(dir, 'nomask.txt');
    writeFileSync(noMask, BERT_LIKE.filter((t) => t !== '[MASK]').join('\n') + '\n');
    const r = await runCli(['pcfg', 'generate', '--out', join(dir, 'n'), '--rules', rules, '--vocab', noMask, '--sentences', '5', '--seed', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${noMask}: vocabulary lacks the required special token [MASK]`);
  });
});
