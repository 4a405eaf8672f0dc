import type { Axes } from '../dsl/axes.ts';
import * as p from '../dsl/index.ts';
import type { KeyTensor } from '../dsl/random.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { Concrete } from '../dsl/trace.ts';
import type { EncoderConfig } from '../models/config.ts';
import { encode } from '../models/encoder.ts';
import { classifierLogits } from '../models/heads.ts';
import { initClassifierHead, initEncoder } from '../models/init.ts';
import type { ClassifierHeadParams, EncoderParams } from '../models/params.ts';
import { dropoutContext } from '../objectives/mlm.ts';
import type { Mode, Objective } from '../objectives/objective.ts';
import { type Key, foldIn } from '../prng/key.ts';
import { DownstreamError } from './errors.ts';
import { type LabelSpace, outputCount } from './labelSpace.ts';
import { type RowBatch, rowBatchTensors } from './rowBatch.ts';

type T = Tensor<Axes>;

/** An encoder with a sequence-classification head: HF BertForSequenceClassification's parameters. */
export interface SequenceClassifierParams extends ClassifierHeadParams {
  readonly encoder: EncoderParams;
}

export interface SequenceClassifier {
  readonly params: Concrete<SequenceClassifierParams>;
  readonly config: EncoderConfig;
  readonly labels: LabelSpace;
}

/** A batch as graph values (what rowBatchTensors gives on the host). */
export interface ClassifierBatch {
  readonly inputIds: Tensor<['batch', 'seq']>;
  readonly attentionMask: Tensor<['batch', 'seq']>;
  readonly tokenTypes: Tensor<['batch', 'seq']>;
  readonly labels: Tensor<['batch']>;
  readonly weights: Tensor<['batch']>;
}

type Inputs = Pick<ClassifierBatch, 'inputIds' | 'attentionMask' | 'tokenTypes'>;

/**
 * Logits ['batch', 'label'] (one output for regression): the encoder (plain: no token dropping),
 * then the pooler on [CLS], dropout at the encoder's hidden rate and the linear classifier.
 * Dropout only in train mode.
 */
export function sequenceClassifierLogits(params: SequenceClassifierParams, batch: Inputs, config: EncoderConfig, key: KeyTensor, mode: Mode): T {
  const { last } = encode(params.encoder, { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypes: batch.tokenTypes }, config, dropoutContext(config, p.foldInTensor(key, 0), mode));
  return classifierLogits(params, last, mode === 'train' ? { key: p.foldInTensor(key, 1), rate: config.dropout } : undefined);
}

/**
 * The loss over the real rows of a batch (padding rows have weight 0): the mean cross-entropy,
 * or the mean squared error of the single output for regression (HF's MSELoss).
 */
export function sequenceClassifierLoss(logits: T, batch: Pick<ClassifierBatch, 'labels' | 'weights'>, kind: LabelSpace['kind']): { loss: Tensor<[]>; correct: Tensor<[]> } {
  const w = batch.weights;
  const rows = p.maximum(p.sumAll(w), 1);
  if (kind === 'regression') {
    const err = p.squeeze(logits, 'label').sub(batch.labels).square() as T;
    return { loss: p.div(p.sumAll(err.mul(w)), rows) as Tensor<[]>, correct: p.scalar(0) };
  }
  const ce = p.softmaxCrossEntropy(logits, batch.labels, 'label') as T;
  const correct = p.sumAll(p.cast(p.argmax(logits, 'label').eq(batch.labels), 'f32').mul(w));
  return { loss: p.div(p.sumAll(ce.mul(w)), rows) as Tensor<[]>, correct };
}

/** A fresh classifier (fine-tuning from scratch: the baseline), or a fresh head on a pretrained encoder. */
export function initSequenceClassifier(config: EncoderConfig, labels: LabelSpace, key: Key, encoder?: Concrete<EncoderParams>): SequenceClassifier {
  const head = initClassifierHead(config, outputCount(labels), foldIn(key, 1));
  return { params: { encoder: encoder ?? initEncoder(config, foldIn(key, 0)), ...head }, config, labels };
}

/**
 * Fine-tuning as an objective, so train/'s step (gradients, clipping, AdamW) and StepRunner run
 * it: `prepare` takes RowBatches (a TokenBatch with labels, types and weights), `loss` is
 * sequenceClassifierLoss. Metrics: `accuracy` over the batch's real rows (0 for regression).
 */
export function sequenceClassifierObjective(model: Omit<SequenceClassifier, 'params'>): Objective<SequenceClassifierParams, Record<string, never>, ClassifierBatch> {
  const { config, labels } = model;
  return {
    name: 'finetune',
    init: (key) => ({ params: initSequenceClassifier(config, labels, key).params, extra: {} }),
    prepare: (rows) => rowBatchTensors(rows as RowBatch) as unknown as Concrete<ClassifierBatch>,
    loss(params, _extra, batch, key, mode) {
      const { loss, correct } = sequenceClassifierLoss(sequenceClassifierLogits(params, batch, config, key, mode), batch, labels.kind);
      return { loss, metrics: { accuracy: p.div(correct, p.maximum(p.sumAll(batch.weights), 1)) as Tensor<[]> } };
    },
    mlm: () => {
      throw new DownstreamError('a sequence classifier holds no masked LM', {});
    },
  };
}
