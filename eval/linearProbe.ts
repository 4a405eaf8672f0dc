import * as p from '../dsl/index.ts';
import { HostTensor } from '../dsl/host.ts';
import { type KeyTensor, keyInput } from '../dsl/random.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { Concrete } from '../dsl/trace.ts';
import { compile } from '../compiler/compile.ts';
import { compileStep } from '../compiler/step.ts';
import type { SentenceBatch } from '../corpora/pcfg/index.ts';
import { type LabelledRows, type RowSpecials, labelledRows } from '../finetune/labelledRows.ts';
import { type ClassificationMetrics, classificationMetrics } from '../finetune/metrics.ts';
import { type RowBatchTensors, predictRows, rowBatch, rowBatchTensors } from '../finetune/rowBatch.ts';
import { type ClassifierBatch, sequenceClassifierLoss } from '../finetune/sequenceClassifier.ts';
import type { EncoderConfig } from '../models/config.ts';
import { type TokenGrid, encode } from '../models/encoder.ts';
import type { EncoderParams } from '../models/params.ts';
import { dropoutContext } from '../objectives/mlm.ts';
import type { Mode } from '../objectives/objective.ts';
import { type Key, foldIn } from '../prng/key.ts';
import { permutation, uniform } from '../prng/samplers.ts';
import { type AdamWConfig, adamwScalarInputs, adamwScalars, adamwUpdate } from '../train/optim/adamw.ts';
import { learningRate, type Schedule } from '../train/schedule.ts';
import { EvalError } from './errors.ts';

/** Probe features: the concatenated states of a row. */
type Features = Tensor<['batch', 'feature']>;

/** Probe rows: labelled sentences as `[CLS] w.. [SEP] [PAD]..` rows (the rows fine-tuning takes too). */
export type ProbeData = LabelledRows;

/**
 * Probe inputs from sentences of token ids and their labels: `[CLS] w.. [SEP]` padded to seqLen
 * (default 20, spec 5b7), longer sentences truncated to seqLen - 2 words like a tokenizer with
 * truncation.
 */
export function probeData(sentences: SentenceBatch, labels: ArrayLike<number>, specials: RowSpecials, seqLen = 20): ProbeData {
  return labelledRows({ first: sentences }, Int32Array.from(labels), specials, seqLen);
}

export interface LinearProbeOptions {
  readonly numLabels: number;
  /** Initialisation, shuffling and dropout. */
  readonly key: Key;
  /** Default 50. */
  readonly epochs?: number;
  /** Default 512. */
  readonly batchSize?: number;
  /** Peak learning rate (default 1e-3). */
  readonly lr?: number;
  /** Warmup steps of the polynomial (power 1) decay to 1e-7 at the last step, as HF's get_polynomial_decay_schedule_with_warmup (default 50). */
  readonly warmupSteps?: number;
  /** Dropout on the features (default 0.1). */
  readonly featureDropout?: number;
  /** Mode of the frozen encoder while training (default 'train': its dropout is active, as in run_lp.py). */
  readonly encoderMode?: Mode;
  /** Mode of encoder and feature dropout when measuring accuracy (default 'eval': deterministic). */
  readonly evalMode?: Mode;
  /** AdamW (default torch's: betas 0.9/0.999, eps 1e-8, weight decay 0.01 on every parameter). */
  readonly adamw?: Partial<AdamWConfig>;
  /** Called after every epoch. */
  readonly onEpoch?: (epoch: ProbeEpoch) => void;
}

export interface ProbeEpoch {
  readonly epoch: number;
  /** Mean training loss over the epoch's steps. */
  readonly trainLoss: number;
  readonly trainAccuracy?: number;
  readonly validAccuracy: number;
  /** Accuracy, macro-F1, MCC (and F1 of class 1 for two classes) on the validation rows. */
  readonly validMetrics: ClassificationMetrics;
  readonly steps: number;
}

export interface ProbeParams {
  readonly w: Tensor<['feature', 'label']>;
  readonly b: Tensor<['label']>;
}

export interface LinearProbeResult {
  readonly epochs: readonly ProbeEpoch[];
  readonly finalAccuracy: number;
  readonly bestAccuracy: number;
  readonly probe: Concrete<ProbeParams>;
  /** Features per row: (seqLen - 2) x hidden. */
  readonly featureSize: number;
}

/**
 * Features of the linear probe (spec 5b7): the last layer's states at positions 1..L-2 (every
 * word, [SEP] and padding, not [CLS]) concatenated, dropout `rate` on them in train mode.
 */
export function probeFeatures(encoder: EncoderParams, batch: { inputIds: TokenGrid; attentionMask: TokenGrid; tokenTypes?: TokenGrid }, config: EncoderConfig, key: KeyTensor, mode: Mode, rate: number): Features {
  const L = batch.inputIds.dim('seq');
  const { last } = encode(encoder, { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypes: batch.tokenTypes }, config, dropoutContext(config, p.foldInTensor(key, 0), mode));
  const features = p.merge(p.slice(last, 'seq', 1, L - 1), ['seq', 'hidden'], 'feature');
  return mode === 'train' && rate > 0 ? p.dropout(p.foldInTensor(key, 1), features, rate) : features;
}

function probeLogits(probe: ProbeParams, features: Features): Tensor<['batch', 'label']> {
  return p.dot(features, probe.w, 'feature').add(probe.b);
}

/** torch.nn.Linear's initialisation: weight and bias U(-1/sqrt(in), 1/sqrt(in)). */
function initProbe(features: number, labels: number, k: Key): Concrete<ProbeParams> {
  const bound = 1 / Math.sqrt(features);
  return {
    w: new HostTensor(['feature', 'label'], [features, labels], 'f32', Float32Array.from(uniform(foldIn(k, 0), features * labels, -bound, bound))),
    b: new HostTensor(['label'], [labels], 'f32', Float32Array.from(uniform(foldIn(k, 1), labels, -bound, bound))),
  };
}

const zeros = <A extends readonly string[]>(t: HostTensor<A>): HostTensor<A> => new HostTensor(t.axes, t.shape, 'f32', new Float32Array(t.data.length));

/**
 * Trains a linear probe on a frozen encoder (spec 5b7) and reports accuracy every epoch. The
 * encoder's parameters are inputs of the compiled step, never part of its state: they cannot
 * change (property 5f-8). The probe is trained with AdamW on the mean cross-entropy over each
 * batch (a last, partial batch is padded with zero-weight rows so one program serves all steps).
 */
export function linearProbe(
  encoder: { readonly params: Concrete<EncoderParams>; readonly config: EncoderConfig },
  train: ProbeData,
  valid: ProbeData,
  options: LinearProbeOptions,
): LinearProbeResult {
  const { config } = encoder;
  const L = train.seqLen;
  if (valid.seqLen !== L) throw new EvalError(`linearProbe: train rows have length ${L}, valid rows ${valid.seqLen}`, {});
  if (L > config.maxPositions) throw new EvalError(`linearProbe: seqLen ${L} exceeds the model's ${config.maxPositions} positions`, {});
  if (train.rows < 1) throw new EvalError('linearProbe: no training rows', {});
  if (train.labels instanceof Float32Array) throw new EvalError('linearProbe: the probe classifies; these rows have real-valued (regression) labels', {});
  const C = options.numLabels;
  for (const d of [train, valid]) {
    for (const y of d.labels) if (!(y >= 0 && y < C)) throw new EvalError(`linearProbe: label ${y} outside [0, ${C})`, { label: y, numLabels: C });
  }
  const epochs = options.epochs ?? 50;
  const B = Math.min(options.batchSize ?? 512, Math.max(train.rows, 1));
  const rate = options.featureDropout ?? 0.1;
  const encoderMode = options.encoderMode ?? 'train';
  const evalMode = options.evalMode ?? 'eval';
  const adamw: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, ...options.adamw };
  const stepsPerEpoch = Math.ceil(train.rows / B);
  const schedule: Schedule = { kind: 'polynomial', lr: options.lr ?? 1e-3, warmupSteps: options.warmupSteps ?? 50, totalSteps: epochs * stepsPerEpoch, power: 1, endLr: 1e-7 };
  const F = (L - 2) * config.hidden;

  const probe0 = initProbe(F, C, foldIn(options.key, 0));
  const state0 = { probe: probe0, m: { w: zeros(probe0.w), b: zeros(probe0.b) }, v: { w: zeros(probe0.w), b: zeros(probe0.b) } };
  const inputsFor = (step: number, batch: RowBatchTensors) => ({
    encoder: encoder.params,
    batch,
    key: keyInput(foldIn(foldIn(options.key, 1), step)),
    scalars: adamwScalarInputs(adamwScalars(adamw, learningRate(schedule, step), step)),
  });
  const stepFn = (state: { probe: ProbeParams; m: ProbeParams; v: ProbeParams }, inp: { encoder: EncoderParams; batch: ClassifierBatch; key: KeyTensor; scalars: { lr: Tensor<[]>; stepSize: Tensor<[]>; invSqrtBiasCorrection2: Tensor<[]> } }) => {
    const features = probeFeatures(inp.encoder, inp.batch, config, inp.key, encoderMode, rate);
    const { value, grads } = p.valueAndGrad((pr: ProbeParams) => sequenceClassifierLoss(probeLogits(pr, features), inp.batch, 'classification'))(state.probe);
    const upd = adamwUpdate(state.probe, grads, { m: state.m, v: state.v }, inp.scalars, adamw);
    return { state: { probe: upd.params, m: upd.state.m, v: upd.state.v }, outputs: { loss: value.loss, correct: value.correct } };
  };
  const trainStep = compileStep(stepFn, state0, inputsFor(0, rowBatchTensors(rowBatch(train, [0], B))));
  const example = rowBatchTensors(rowBatch(train, [0], B));
  const predict = compile(
    (enc: EncoderParams, pr: ProbeParams, b: { inputIds: TokenGrid; attentionMask: TokenGrid; tokenTypes: TokenGrid }, k: KeyTensor) =>
      p.argmax(probeLogits(pr, probeFeatures(enc, b, config, k, evalMode, rate)), 'label'),
    [encoder.params, probe0, { inputIds: example.inputIds, attentionMask: example.attentionMask, tokenTypes: example.tokenTypes }, keyInput(options.key)] as const,
  );

  const validMetrics = (probe: Concrete<ProbeParams>, epoch: number): ClassificationMetrics => {
    const pred = predictRows(valid, B, (b, start) =>
      predict(encoder.params, probe, { inputIds: b.inputIds, attentionMask: b.attentionMask, tokenTypes: b.tokenTypes }, keyInput(foldIn(foldIn(options.key, 2), epoch * 100003 + start))).data);
    return classificationMetrics(pred, valid.labels, C);
  };

  const history: ProbeEpoch[] = [];
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = permutation(foldIn(foldIn(options.key, 3), epoch), train.rows);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < train.rows; start += B) {
      const out = trainStep.run(inputsFor(step, rowBatchTensors(rowBatch(train, order.subarray(start, start + B), B))));
      lossSum += out.loss.item();
      correct += out.correct.item();
      step++;
    }
    const { probe } = trainStep.readState();
    const metrics = validMetrics(probe, epoch);
    const e: ProbeEpoch = { epoch: epoch + 1, trainLoss: lossSum / stepsPerEpoch, trainAccuracy: correct / train.rows, validAccuracy: metrics.accuracy, validMetrics: metrics, steps: step };
    history.push(e);
    options.onEpoch?.(e);
  }
  const { probe } = trainStep.readState();
  const accs = history.map((h) => h.validAccuracy);
  return {
    epochs: history,
    finalAccuracy: accs.length > 0 ? accs[accs.length - 1]! : validMetrics(probe, 0).accuracy,
    bestAccuracy: accs.length > 0 ? Math.max(...accs) : validMetrics(probe, 0).accuracy,
    probe,
    featureSize: F,
  };
}
