import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as p from '../../dsl/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import { flatten } from '../../dsl/tree.ts';
import { buildWordLevelVocab } from '../../corpora/tokenizer/index.ts';
import { loadClassifier, saveClassifier } from '../../finetune/classifierCheckpoint.ts';
import { formatTable } from '../../finetune/csvTable.ts';
import { csvTaskData } from '../../finetune/csvTask.ts';
import type { RegressionMetrics } from '../../finetune/metrics.ts';
import { ClassifierPredictor } from '../../finetune/classifierPredictor.ts';
import { finetune } from '../../finetune/finetune.ts';
import { pcfgTaskData } from '../../finetune/pcfgTask.ts';
import { initSequenceClassifier } from '../../finetune/sequenceClassifier.ts';
import { encode } from '../../models/encoder.ts';
import type { EncoderParams } from '../../models/params.ts';
import { readSafetensors, rawValues } from '../../models/checkpoint/index.ts';
import { key } from '../../prng/key.ts';
import { uniform } from '../../prng/samplers.ts';
import { classNames } from '../../finetune/labelSpace.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { taskEncoderConfig, taskGrammar, taskVocab } from './fixtures.ts';

const root = makeTmpDir('pretext-finetune-lib-');
const grammar = taskGrammar();
const vocab = taskVocab(grammar);
const config = taskEncoderConfig(vocab, { hidden: 16, layers: 1, ffn: 32, maxPositions: 10 });
const task = pcfgTaskData(grammar, vocab, { task: 'B', train: 40, valid: 20, seed: 2, seqLen: 10 });
const bytes = (tree: unknown) => flatten<HostTensor>(tree, (x) => x instanceof HostTensor).leaves.map((l) => Buffer.from(l.data.buffer, l.data.byteOffset, l.data.byteLength).toString('hex'));
const noSave = { saveBest: () => {} };

describe('fine-tuning runs', () => {
  it('an interrupted run resumed from its checkpoint ends bit-identical to an uninterrupted one (params, evaluations, log)', async () => {
    const options = { epochs: 3, batchSize: 16, lr: 3e-3, warmupSteps: 2, evalEvery: 2, seed: 7 };
    const start = initSequenceClassifier(config, task.labels, key(1));
    const runDir = (name: string, resume: boolean) => ({ dir: join(root, name), resume, config: {}, ...noSave });
    const whole = await finetune(start, task, options, runDir('whole', false));
    expect(whole.steps).toBe(9);
    const abort = new AbortController();
    // step 5 is mid-epoch and between evaluations: the data cursor and the loss window must carry over
    const cut = await finetune(start, task, options, runDir('cut', false), { signal: abort.signal, onStep: (s) => s === 5 && abort.abort() });
    expect(cut).toMatchObject({ interrupted: true, steps: 5 });
    const resumed = await finetune(start, task, options, runDir('cut', true));
    expect(resumed).toMatchObject({ interrupted: false, steps: 9 });
    expect(bytes(resumed.final.params)).toEqual(bytes(whole.final.params));
    expect(resumed.evals).toEqual(whole.evals);
    expect(resumed.best?.step).toBe(whole.best?.step);
    expect(readFileSync(join(root, 'cut', 'log.jsonl'), 'utf8')).toBe(readFileSync(join(root, 'whole', 'log.jsonl'), 'utf8'));
    // and the run did move the parameters
    expect(bytes(whole.final.params)).not.toEqual(bytes(start.params));
  });

  it('learns a regression task from a CSV file (one output, MSE): the target is 1.5 when the text starts with a or b, else 0.5', async () => {
    const words = ['a', 'b', 'c', 'd'];
    const v = buildWordLevelVocab(words);
    const u = uniform(key(1), 160 * 3);
    const csv = (from: number, n: number) => {
      const f = join(root, `reg-${from}.csv`);
      const rows = Array.from({ length: n }, (_, i) => [0, 1, 2].map((k) => words[Math.floor(u[(from + i) * 3 + k]! * 4)]!));
      writeFileSync(f, formatTable(f, ['text', 'score'], rows.map((w) => [w.join(' '), w[0] === 'a' || w[0] === 'b' ? '1.5' : '0.5'])));
      return f;
    };
    const reg = csvTaskData({ train: csv(0, 120), valid: csv(120, 40) }, { label: 'score' }, v, 6);
    expect(reg.labels).toEqual({ kind: 'regression' });
    const c = taskEncoderConfig(v, { hidden: 16, layers: 1, ffn: 32, maxPositions: 6 });
    const r = await finetune(initSequenceClassifier(c, reg.labels, key(0)), reg, { epochs: 20, batchSize: 16, lr: 3e-3, warmupSteps: 5, evalEvery: 0 });
    const last = r.evals[r.evals.length - 1]!.metrics as RegressionMetrics;
    // predicting the mean scores an MSE of about 0.25 (the targets' variance)
    expect(last.mse).toBeLessThan(0.05);
    expect(last.pearson).toBeGreaterThan(0.95);
    expect(r.final.params.classifier.w.shape).toEqual([16, 1]);
  });

  it('evaluates every evalEvery updates and at every epoch end, keeping the best evaluation', async () => {
    const saved: number[] = [];
    const r = await finetune(initSequenceClassifier(config, task.labels, key(1)), task, { epochs: 2, batchSize: 16, evalEvery: 2, lr: 3e-3, warmupSteps: 2 }, {
      dir: join(root, 'evals'), resume: false, config: {}, saveBest: (_m, at) => saved.push(at.step),
    });
    expect(r.evals.map((e) => [e.step, e.endOfEpoch])).toEqual([[2, false], [3, true], [4, false], [6, true]]);
    const acc = r.evals.map((e) => (e.metrics as { accuracy: number }).accuracy);
    expect((r.best!.metrics as { accuracy: number }).accuracy).toBe(Math.max(...acc));
    // saved whenever an evaluation beat every earlier one, the first included
    expect(saved[0]).toBe(2);
    expect(saved[saved.length - 1]).toBe(r.best!.step);
    // log.jsonl: a line per evaluation, then the best
    const log = readFileSync(join(root, 'evals', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((l) => l.update)).toEqual([2, 3, 4, 6, 6]);
    expect(log[4]).toMatchObject({ event: 'best', best_step: r.best!.step, best_accuracy: Math.max(...acc) });
  });
});

describe('the sequence-classification head and its checkpoint', () => {
  const model = initSequenceClassifier(config, task.labels, key(3));

  it("logits are HF BertForSequenceClassification's: tanh([CLS] state · pooler + b) · classifier + b (eval mode)", () => {
    const logits = new ClassifierPredictor(model, 8, 10).logits(task.valid);
    const rows = 3;
    const batch = {
      inputIds: new HostTensor(['batch', 'seq'], [rows, 10], 'i32', task.valid.inputIds.subarray(0, rows * 10)),
      attentionMask: new HostTensor(['batch', 'seq'], [rows, 10], 'bool', task.valid.attentionMask.subarray(0, rows * 10)),
    };
    const last = p.evaluate((e: unknown, b: { inputIds: p.Tensor<['batch', 'seq']>; attentionMask: p.Tensor<['batch', 'seq']> }) => encode(e as EncoderParams, b, config).last, model.params.encoder, batch);
    const H = config.hidden;
    const C = classNames(task.labels).length;
    const { pooler, classifier } = model.params;
    for (let r = 0; r < rows; r++) {
      const cls = Array.from(last.data.subarray(r * 10 * H, r * 10 * H + H));
      const pooled = Array.from({ length: H }, (_, j) => Math.tanh(pooler.b.data[j]! + cls.reduce((s, x, i) => s + x * pooler.w.data[i * H + j]!, 0)));
      for (let c = 0; c < C; c++) {
        const want = classifier.b.data[c]! + pooled.reduce((s, x, i) => s + x * classifier.w.data[i * C + c]!, 0);
        expect(logits[r * C + c]).toBeCloseTo(want, 4);
      }
    }
  });

  it('is stored under HF names (bert.*, bert.pooler.dense.*, classifier.*) with torch [out, in] weights, id2label/label2id, and loads back', () => {
    const dir = join(root, 'clf');
    saveClassifier(dir, { ...model, vocab, seqLen: 10 });
    const file = readSafetensors(join(dir, 'model.safetensors'));
    const names = [...file.tensors.keys()];
    expect(names).toEqual(expect.arrayContaining([
      'bert.embeddings.word_embeddings.weight', 'bert.encoder.layer.0.attention.self.query.weight', 'bert.pooler.dense.weight', 'bert.pooler.dense.bias', 'classifier.weight', 'classifier.bias',
    ]));
    expect(names.filter((n) => !n.startsWith('bert.') && !n.startsWith('classifier.'))).toEqual([]);
    const C = classNames(task.labels).length;
    const w = file.tensors.get('classifier.weight')!;
    expect(w.shape).toEqual([C, config.hidden]);
    // torch Linear weight [out, in]: row c is class c's weights over the hidden units
    expect(rawValues(w, 'model.safetensors')[2 * config.hidden + 5]).toBe(model.params.classifier.w.data[5 * C + 2]);
    expect(file.tensors.get('bert.pooler.dense.weight')!.shape).toEqual([config.hidden, config.hidden]);
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(json).toMatchObject({ architectures: ['BertForSequenceClassification'], model_type: 'bert', problem_type: 'single_label_classification' });
    const names0 = classNames(task.labels);
    expect(json.id2label).toEqual(Object.fromEntries(names0.map((n, i) => [String(i), n])));
    expect(json.label2id[names0[3]!]).toBe(3);
    const back = loadClassifier(dir);
    expect(back).toMatchObject({ labels: task.labels, seqLen: 10, config });
    expect(bytes(back.params)).toEqual(bytes(model.params));
  });

  it('a pre-LN encoder or a regression head: config.json says what transformers would make of it', () => {
    const pre = taskEncoderConfig(vocab, { hidden: 8, layers: 1, ffn: 16, layerNorm: 'pre' });
    const dir = join(root, 'pre-ln');
    saveClassifier(dir, { ...initSequenceClassifier(pre, { kind: 'regression' }, key(4)), vocab, seqLen: 8 });
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(json.model_type).toBe('pretext');
    expect(json.architectures).toBeUndefined();
    expect(json.pretext.hfIncompatibility).toEqual([expect.stringMatching(/^pre-LN encoder/)]);
    expect(json).toMatchObject({ problem_type: 'regression', id2label: { 0: 'LABEL_0' } });
    expect(readSafetensors(join(dir, 'model.safetensors')).tensors.get('classifier.weight')!.shape).toEqual([1, 8]);
    expect(loadClassifier(dir).labels).toEqual({ kind: 'regression' });
  });
});
