import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleDownstreamSentences, taskRows, writeTaskCsv } from '../../corpora/pcfg/index.ts';
import { buildWordLevelVocab } from '../../corpora/tokenizer/index.ts';
import { formatTable, readTable, tableColumn } from '../../finetune/csvTable.ts';
import { csvTaskData } from '../../finetune/csvTask.ts';
import { CsvFormatError, EmptyFileError, MissingColumnError, UnknownLabelError } from '../../finetune/errors.ts';
import { labelledRows } from '../../finetune/labelledRows.ts';
import { pcfgTaskData } from '../../finetune/pcfgTask.ts';
import { key } from '../../prng/key.ts';
import { classNames } from '../../finetune/labelSpace.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { taskGrammar, taskVocab } from './fixtures.ts';

const root = makeTmpDir('pretext-taskdata-');
let n = 0;
const file = (text: string, ext = 'csv'): string => {
  const f = join(root, `f${n++}.${ext}`);
  writeFileSync(f, text);
  return f;
};
const vocab = buildWordLevelVocab(['a', 'b', 'c', 'd', 'e']);
const [A, B, C, D, E] = ['a', 'b', 'c', 'd', 'e'].map((w) => vocab.idOf(w)!);
const { cls: CLS, sep: SEP, pad: PAD } = vocab.specials;
const rowOf = (d: { inputIds: Int32Array; seqLen: number }, r: number) => Array.from(d.inputIds.subarray(r * d.seqLen, (r + 1) * d.seqLen));

describe('CSV/TSV tables (csv-parse)', () => {
  it('reads quoted fields with commas, quotes and line breaks, a BOM, mixed CRLF / LF and empty lines; rows know their lines', () => {
    const t = readTable(file('\uFEFFtext,label\r\n"a, b",1\r\n\r\n"c ""d""\ne",0\nplain,2\n'));
    expect(t.columns).toEqual(['text', 'label']);
    expect(t.rows).toEqual([['a, b', '1'], ['c "d"\ne', '0'], ['plain', '2']]);
    expect(t.lines).toEqual([2, 5, 6]);
    expect(tableColumn(t, 'label')).toEqual(['1', '0', '2']);
  });

  it('.tsv files are tab-separated; formatTable writes what readTable reads back', () => {
    expect(readTable(file('text\tlabel\na,b\t1\n', 'tsv')).rows).toEqual([['a,b', '1']]);
    const rows = [['x,y', 'he said "hi"'], ['line\nbreak', 'tab\there']];
    for (const ext of ['csv', 'tsv']) {
      const f = join(root, `round.${ext}`);
      writeFileSync(f, formatTable(f, ['p', 'q'], rows));
      expect(readTable(f).rows).toEqual(rows);
    }
  });

  it('an empty file, a header without rows, a missing column and a broken quote are errors that name the file', () => {
    const empty = file('');
    expect(() => readTable(empty)).toThrow(EmptyFileError);
    expect(() => readTable(empty)).toThrow(`${empty}: empty file`);
    expect(() => readTable(file('text,label\n'))).toThrow(/a header \(text, label\) but no rows/);
    const t = readTable(file('sentence,y\na,1\n'));
    expect(() => tableColumn(t, 'label', '--label-column')).toThrow(MissingColumnError);
    expect(() => tableColumn(t, 'label', '--label-column')).toThrow(/no column "label" \(--label-column\); its columns are "sentence", "y"/);
    expect(() => readTable(file('text,label\n"a,1\n'))).toThrow(CsvFormatError);
    expect(() => readTable(file('text,label\na,1,2\n'))).toThrow(/Invalid Record Length/);
    expect(() => readTable(join(root, 'nope.csv'))).toThrow(/nope.csv: no such file/);
  });
});

describe('labelled rows', () => {
  it('one text: [CLS] a.. [SEP] [PAD].., token type 0, long texts truncated and counted', () => {
    const d = labelledRows({ first: { tokens: Int32Array.from([A, B, C, D, E]), offsets: Int32Array.from([0, 1, 5]) } }, Int32Array.from([1, 0]), vocab.specials, 5);
    expect(rowOf(d, 0)).toEqual([CLS, A, SEP, PAD, PAD]);
    expect(rowOf(d, 1)).toEqual([CLS, B, C, D, SEP]);
    expect(Array.from(d.attentionMask)).toEqual([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    expect(d.tokenTypes.every((x) => x === 0)).toBe(true);
    expect(d.truncated).toBe(1);
  });

  it("pairs: [CLS] a [SEP] b [SEP] with token types 0 then 1, cut 'longest_first' (the longer text first, the second on a tie)", () => {
    const batch = (texts: number[][]) => ({ tokens: Int32Array.from(texts.flat()), offsets: Int32Array.from([0, ...texts.map((_, i) => texts.slice(0, i + 1).flat().length)]) });
    const d = labelledRows({ first: batch([[A], [A, B, C, D], [A, B]]), second: batch([[B, C], [E], [C, D]]) }, Int32Array.from([0, 1, 2]), vocab.specials, 7);
    expect(rowOf(d, 0)).toEqual([CLS, A, SEP, B, C, SEP, PAD]);
    expect(Array.from(d.tokenTypes.subarray(0, 7))).toEqual([0, 0, 0, 1, 1, 1, 0]);
    expect(rowOf(d, 1)).toEqual([CLS, A, B, C, SEP, E, SEP]);
    expect(rowOf(d, 2)).toEqual([CLS, A, B, SEP, C, D, SEP]);
    const cut = labelledRows({ first: batch([[A, B, C, D]]), second: batch([[E, E, E]]) }, Int32Array.from([0]), vocab.specials, 7);
    // 7 tokens leave 4 for the texts: 4+3 -> 3+3 -> 3+2 -> 2+2
    expect(rowOf(cut, 0)).toEqual([CLS, A, B, SEP, E, E, SEP]);
    expect(cut.truncated).toBe(1);
  });
});

describe('tasks from CSV/TSV files', () => {
  it('integer labels are classes in numeric order; a validation label the training file lacks is an error naming file and line', () => {
    const train = file('text,label\na b,10\nc,2\nd,10\n');
    const d = csvTaskData({ train, valid: file('text,label\ne,2\n') }, {}, vocab, 6);
    expect(d.labels).toEqual({ kind: 'classification', names: ['2', '10'] });
    expect(Array.from(d.train.labels)).toEqual([1, 0, 1]);
    expect(rowOf(d.train, 0)).toEqual([CLS, A, B, SEP, PAD, PAD]);
    const valid = file('text,label\ne,2\nd,7\n');
    expect(() => csvTaskData({ train, valid }, {}, vocab, 6)).toThrow(UnknownLabelError);
    expect(() => csvTaskData({ train, valid }, {}, vocab, 6)).toThrow(new RegExp(`${valid}:3: label "7" is not among the 2 labels of the training file \\(2, 10\\)`));
    expect(() => csvTaskData({ train: file('text,label\na,x\nb,\n'), valid }, {}, vocab, 6)).toThrow(/:3: empty label/);
  });

  it('string labels sort as strings; real-valued labels make a regression task', () => {
    expect(csvTaskData({ train: file('text,label\na,pos\nb,neg\n'), valid: file('text,label\nc,pos\n') }, {}, vocab, 6).labels).toEqual({ kind: 'classification', names: ['neg', 'pos'] });
    const r = csvTaskData({ train: file('text,score\na,0.5\nb,3\n'), valid: file('text,score\nc,1.25\n') }, { label: 'score' }, vocab, 6);
    expect(r.labels).toEqual({ kind: 'regression' });
    expect(r.valid.labels).toEqual(Float32Array.from([1.25]));
    expect(() => csvTaskData({ train: file('text,score\na,0.5\n'), valid: file('text,score\nc,high\n') }, { label: 'score' }, vocab, 6)).toThrow(/label "high" is not a number/);
  });

  it('columns: sentence1 + sentence2 make pairs; named columns; a missing one names the flag; long texts are counted', () => {
    const train = file('id\tsentence1\tsentence2\tlabel\n1\ta b\tc\t1\n2\ta b c d e\te\t0\n', 'tsv');
    const d = csvTaskData({ train, valid: train }, {}, vocab, 6);
    expect(d.source.columns).toEqual({ text: 'sentence1', pair: 'sentence2', label: 'label' });
    expect(rowOf(d.train, 0)).toEqual([CLS, A, B, SEP, C, SEP]);
    expect(Array.from(d.train.tokenTypes.subarray(0, 6))).toEqual([0, 0, 0, 0, 1, 1]);
    expect(d.train.truncated).toBe(1);
    expect(() => csvTaskData({ train, valid: train }, { text: 'sentence1', pair: 'hypothesis' }, vocab, 6)).toThrow(/no column "hypothesis" \(--pair-column\)/);
    expect(() => csvTaskData({ train: file('a,b,label\nx,y,1\n'), valid: train }, {}, vocab, 6)).toThrow(/cannot tell which column holds the text among "a", "b", "label"; give --text-column/);
  });

  it("`pcfg tasks` CSV gives the PCFG loader's rows (ids, truncation) and its labels, renumbered over the classes that occur", () => {
    const g = taskGrammar();
    const v = taskVocab(g);
    const pcfg = pcfgTaskData(g, v, { task: 'B', train: 60, valid: 30, seed: 4, seqLen: 8 });
    const all = sampleDownstreamSentences(g, key(4), 90);
    const rows = taskRows(g, all, 'B');
    const [train, valid] = [join(root, 'b-train.csv'), join(root, 'b-valid.csv')];
    writeTaskCsv(train, rows.slice(0, 60));
    writeTaskCsv(valid, rows.slice(60));
    const csv = csvTaskData({ train, valid }, {}, v, 8);
    expect(csv.train.inputIds).toEqual(pcfg.train.inputIds);
    expect(csv.valid.attentionMask).toEqual(pcfg.valid.attentionMask);
    expect(csv.train.truncated).toBe(pcfg.train.truncated);
    expect(csv.train.truncated).toBeGreaterThan(0);
    const names = classNames(csv.labels);
    expect(Array.from(csv.valid.labels, (y) => Number(names[y]))).toEqual(Array.from(pcfg.valid.labels));
  });
});
