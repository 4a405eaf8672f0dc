import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sampleDownstreamSentences, taskRows, writeTaskCsv } from '../../corpora/pcfg/index.ts';
import { linearProbe } from '../../eval/linearProbe.ts';
import { readTable } from '../../finetune/csvTable.ts';
import { csvTaskData } from '../../finetune/csvTask.ts';
import { checkpointConfig, saveCheckpoint } from '../../models/checkpoint/index.ts';
import { initEncoder, initMlmHead } from '../../models/init.ts';
import { foldIn, key } from '../../prng/key.ts';
import { classNames } from '../../finetune/labelSpace.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { TASK_GRAMMAR, runCli, taskEncoderConfig, taskGrammar, taskVocab } from './fixtures.ts';

afterEach(() => vi.restoreAllMocks());

describe('pretext finetune / predict / eval probe on CSV files', () => {
  const root = makeTmpDir('pretext-finetune-cli-');
  const grammar = taskGrammar();
  const vocab = taskVocab(grammar);
  const config = taskEncoderConfig(vocab, { hidden: 16, layers: 1, ffn: 32 });
  const ckpt = join(root, 'mlm');
  saveCheckpoint(ckpt, {
    config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { tokens: [...vocab.tokens] }, grammar: { seed: TASK_GRAMMAR.seed, shape: TASK_GRAMMAR.shape } }),
    params: { encoder: initEncoder(config, key(1)), mlmHead: initMlmHead(config, key(2)) },
  });
  const rows = taskRows(grammar, sampleDownstreamSentences(grammar, key(3), 90), 'B');
  const trainCsv = join(root, 'train.csv');
  const validCsv = join(root, 'valid.csv');
  writeTaskCsv(trainCsv, rows.slice(0, 60));
  writeTaskCsv(validCsv, rows.slice(60));

  it("finetune writes results.json and best/; predict on the validation file reproduces the best evaluation's metrics", async () => {
    const out = join(root, 'ft');
    const ft = await runCli(['finetune', '--checkpoint', ckpt, '--out', out, '--train-csv', trainCsv, '--valid-csv', validCsv, '--seq-len', '12', '--epochs', '3', '--batch', '16', '--lr', '3e-3', '--warmup', '2', '--json']);
    expect(ft.err).toBe('');
    expect(ft.code).toBe(0);
    const j = JSON.parse(ft.out);
    expect(j).toMatchObject({ train: 60, valid: 30, steps: 12, totalSteps: 12, interrupted: false, task: { trainCsv, validCsv, columns: { text: 'text', label: 'label' } } });
    expect(j.epochs.map((e: { step: number }) => e.step)).toEqual([4, 8, 12]);
    expect(j.bestAccuracy).toBe(Math.max(...j.evals.map((e: { accuracy: number }) => e.accuracy)));
    const preds = join(root, 'preds.csv');
    const pr = await runCli(['predict', '--checkpoint', out, '--input', validCsv, '--out', preds, '--json']);
    expect(pr.code).toBe(0);
    const summary = JSON.parse(pr.out);
    expect(summary).toMatchObject({ rows: 30, metrics: { accuracy: j.best.accuracy, macroF1: j.best.macroF1, mcc: j.best.mcc } });
    const table = readTable(preds);
    expect(table.columns).toEqual(['index', 'prediction', 'probability']);
    expect(table.rows).toHaveLength(30);
    const right = table.rows.filter((r, i) => r[1] === String(rows[60 + i]!.label)).length;
    expect(right / 30).toBe(j.best.accuracy);
    // a run directory is not overwritten by accident
    const again = await runCli(['finetune', '--checkpoint', ckpt, '--out', out, '--train-csv', trainCsv, '--valid-csv', validCsv]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds a fine-tuning run: --resume to continue it/);
    const other = await runCli(['finetune', '--checkpoint', ckpt, '--out', out, '--resume', '--train-csv', trainCsv, '--valid-csv', validCsv, '--epochs', '4', '--batch', '16', '--lr', '3e-3', '--warmup', '2']);
    expect(other.err).toMatch(/--resume: the run in .* has epochs 3, not 4/);
    const none = await runCli(['finetune', '--checkpoint', ckpt, '--out', join(root, 'empty'), '--resume', '--train-csv', trainCsv, '--valid-csv', validCsv]);
    expect(none.err).toMatch(/--resume: .*empty holds no fine-tuning checkpoint/);
  });

  it('eval probe --train-csv/--valid-csv probes the rows csvTaskData reads, as the library does', async () => {
    const { code, out, err } = await runCli(['eval', 'probe', '--checkpoint', ckpt, '--train-csv', trainCsv, '--valid-csv', validCsv, '--seq-len', '12', '--epochs', '2', '--batch', '16', '--seed', '3', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const j = JSON.parse(out);
    const data = csvTaskData({ train: trainCsv, valid: validCsv }, {}, vocab, 12);
    const ref = linearProbe({ params: initEncoder(config, key(1)), config }, data.train, data.valid, {
      numLabels: classNames(data.labels).length, key: foldIn(key(3), 1), epochs: 2, batchSize: 16,
    });
    expect(j.epochs).toEqual(JSON.parse(JSON.stringify(ref.epochs)));
    expect(j).toMatchObject({ trainCsv, validCsv, train: 60, valid: 30, classes: classNames(data.labels).length });
  });

  it("without --seq-len, rows are as long as spec 5b7's 32 or the model's positions if fewer", async () => {
    const r = await runCli(['finetune', '--checkpoint', ckpt, '--out', join(root, 'positions'), '--train-csv', trainCsv, '--valid-csv', validCsv, '--epochs', '1', '--batch', '30', '--json']);
    expect(r.err).not.toMatch(/exceed/);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'positions', 'best', 'config.json'), 'utf8')).pretext.task.seqLen).toBe(12);
  });

  it('a config file sets the options (flags win); bad input fails with a message naming the flag, file or key', async () => {
    const cfg = join(root, 'ft.json');
    writeFileSync(cfg, JSON.stringify({ epochs: 1, batchSize: 30, evalEvery: 1 }));
    const r = await runCli(['finetune', '--checkpoint', ckpt, '--out', join(root, 'cfg'), '--config', cfg, '--batch', '60', '--train-csv', trainCsv, '--valid-csv', validCsv, '--seq-len', '12', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ steps: 1, evals: [{ step: 1 }] });
    writeFileSync(cfg, JSON.stringify({ epoch: 1 }));
    const bad = [
      [['--config', cfg, '--train-csv', trainCsv, '--valid-csv', validCsv], /ft\.json: invalid value\s+epoch: got 1/],
      [['--train-csv', trainCsv], /give both --train-csv FILE and --valid-csv FILE/],
      [['--train-csv', trainCsv, '--valid-csv', validCsv, '--task', 'B'], /--task is for PCFG tasks/],
      [['--train-csv', trainCsv, '--valid-csv', validCsv, '--label-column', 'y'], /no column "y" \(--label-column\)/],
      [['--task', 'B', '--text-column', 'x'], /--text-column is for --train-csv\/--valid-csv files/],
      [['--task', 'B', '--train', '0'], /--train must be a positive integer/],
      [['--task', 'B', '--train', '10', '--valid', '5', '--seq-len', '40'], /rows of 40 tokens exceed the model's 12 positions/],
    ] as const;
    for (const [flags, message] of bad) {
      const e = await runCli(['finetune', '--checkpoint', ckpt, '--out', join(root, 'bad'), ...flags]);
      expect(e.code).toBe(2);
      expect(e.err).toMatch(message);
    }
  });
});
