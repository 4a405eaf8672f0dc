import { compile } from '../compiler/compile.ts';
import type { HostTensor } from '../dsl/host.ts';
import { keyInput } from '../dsl/random.ts';
import type { Concrete } from '../dsl/trace.ts';
import { key } from '../prng/key.ts';
import type { LabelledRows } from './labelledRows.ts';
import { type LabelSpace, outputCount } from './labelSpace.ts';
import { type DownstreamMetrics, classificationMetrics, regressionMetrics } from './metrics.ts';
import { predictRows, rowBatch, rowBatchTensors } from './rowBatch.ts';
import { type SequenceClassifier, type SequenceClassifierParams, sequenceClassifierLogits } from './sequenceClassifier.ts';

/** What a classifier says about labelled rows: its outputs, predictions, loss and metrics. */
export interface ClassifierEvaluation {
  /** rows x outputs logits (regression: the predicted values). */
  readonly logits: Float32Array;
  /** Class index (or value) per row. */
  readonly predictions: Float32Array;
  /** Mean cross-entropy (regression: mean squared error) over the rows. */
  readonly loss: number;
  readonly metrics: DownstreamMetrics;
}

/** Class index (first maximum) or predicted value of every row of a rows x outputs logit matrix. */
export function predictionsOf(logits: Float32Array, labels: LabelSpace): Float32Array {
  const C = outputCount(labels);
  if (labels.kind === 'regression') return logits;
  const out = new Float32Array(logits.length / C);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (logits[r * C + c]! > logits[r * C + best]!) best = c;
    out[r] = best;
  }
  return out;
}

function meanLoss(logits: Float32Array, gold: ArrayLike<number>, labels: LabelSpace): number {
  const C = outputCount(labels);
  let sum = 0;
  for (let r = 0; r < gold.length; r++) {
    if (labels.kind === 'regression') {
      sum += (logits[r]! - gold[r]!) ** 2;
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, logits[r * C + c]!);
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(logits[r * C + c]! - max);
    sum += max + Math.log(z) - logits[r * C + gold[r]!]!;
  }
  return gold.length === 0 ? NaN : sum / gold.length;
}

/**
 * Eval-mode (deterministic) logits of a sequence classifier over any number of rows, `batchSize`
 * at a time through one compiled program for rows of length `seqLen`.
 */
export class ClassifierPredictor {
  private readonly program: (params: Concrete<SequenceClassifierParams>, batch: unknown, k: unknown) => HostTensor;
  private readonly noKey = keyInput(key(0));

  constructor(
    readonly model: Omit<SequenceClassifier, 'params'> & { readonly params: Concrete<SequenceClassifierParams> },
    readonly batchSize: number,
    readonly seqLen: number,
  ) {
    const { config } = model;
    const example = rowBatchTensors(rowBatch({ rows: 1, seqLen, inputIds: new Int32Array(seqLen), attentionMask: new Uint8Array(seqLen), tokenTypes: new Int32Array(seqLen), labels: new Int32Array(1), truncated: 0 }, [0], batchSize));
    const inputs = { inputIds: example.inputIds, attentionMask: example.attentionMask, tokenTypes: example.tokenTypes };
    this.program = compile(
      (params: SequenceClassifierParams, batch: typeof inputs, k: Parameters<typeof sequenceClassifierLogits>[3]) => sequenceClassifierLogits(params, batch as never, config, k, 'eval'),
      [model.params, inputs, this.noKey] as never,
    ) as unknown as typeof this.program;
  }

  /** rows x outputs logits of `params` (default the model's own) on `data`. */
  logits(data: LabelledRows, params: Concrete<SequenceClassifierParams> = this.model.params): Float32Array {
    return predictRows(data, this.batchSize, (b) => this.program(params, { inputIds: b.inputIds, attentionMask: b.attentionMask, tokenTypes: b.tokenTypes }, this.noKey).data as Float32Array, outputCount(this.model.labels));
  }

  evaluate(data: LabelledRows, params: Concrete<SequenceClassifierParams> = this.model.params): ClassifierEvaluation {
    const { labels } = this.model;
    const logits = this.logits(data, params);
    const predictions = predictionsOf(logits, labels);
    const metrics = labels.kind === 'regression' ? regressionMetrics(predictions, data.labels) : classificationMetrics(predictions, data.labels, labels.names.length);
    return { logits, predictions, loss: meanLoss(logits, data.labels, labels), metrics };
  }
}
