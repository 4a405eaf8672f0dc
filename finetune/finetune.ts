import { join } from 'node:path';
import { type DatasetSplit, type ShuffleCursor, shuffledBatches } from '../corpora/dataset/index.ts';
import type { Concrete } from '../dsl/trace.ts';
import { runCheckpointStore } from '../models/checkpoint/index.ts';
import { foldIn, key as rootKey } from '../prng/key.ts';
import { JsonLog } from '../train/jsonLog.ts';
import { StepRunner, type TrainState } from '../train/loop.ts';
import { type AdamWConfig, adamwInit, noDecayForBiasAndLayerNorm } from '../train/optim/adamw.ts';
import type { Schedule } from '../train/schedule.ts';
import { ClassifierPredictor } from './classifierPredictor.ts';
import { DownstreamError } from './errors.ts';
import { type DownstreamMetrics, primaryMetric } from './metrics.ts';
import { rowBatch } from './rowBatch.ts';
import { type SequenceClassifier, type SequenceClassifierParams, sequenceClassifierObjective } from './sequenceClassifier.ts';
import type { TaskData } from './taskData.ts';

/** Fine-tuning settings; the defaults are the PCFG study's (spec 5b7). */
export interface FinetuneOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate of the polynomial (power 1) decay to 1e-7, HF's get_polynomial_decay_schedule_with_warmup. */
  readonly lr: number;
  readonly warmupSteps: number;
  /** AdamW weight decay, on every parameter but biases and LayerNorm (HF Trainer). */
  readonly weightDecay: number;
  /** Clip the global gradient norm (max_grad_norm); 0 for none. */
  readonly clipNorm: number;
  /** Evaluate on the validation rows every N updates (and at the end of every epoch); 0: epoch ends only. */
  readonly evalEvery: number;
  /** Shuffling, dropout and head initialisation. */
  readonly seed: number;
}

export const FINETUNE_DEFAULTS: FinetuneOptions = { epochs: 50, batchSize: 128, lr: 1e-4, warmupSteps: 50, weightDecay: 0.01, clipNorm: 1, evalEvery: 200, seed: 0 };

/** One evaluation on the validation rows. */
export interface EvalRecord {
  readonly step: number;
  /** Epochs done (step / steps per epoch). */
  readonly epoch: number;
  readonly endOfEpoch: boolean;
  /** Mean training loss over the updates since the previous evaluation. */
  readonly trainLoss: number;
  readonly validLoss: number;
  readonly metrics: DownstreamMetrics;
}

/** Where a fine-tuning run writes: log.jsonl, step-N checkpoints to resume from, and the best model. */
export interface FinetuneRunDir {
  readonly dir: string;
  /** Continue from the directory's latest checkpoint (bit for bit). */
  readonly resume: boolean;
  /** config.json of the step checkpoints. */
  readonly config: unknown;
  /** Files stored with them (vocab.txt...). */
  readonly files?: Readonly<Record<string, string>>;
  /** Stores the best model so far (called when an evaluation beats every earlier one). */
  readonly saveBest: (model: SequenceClassifier, at: EvalRecord) => void;
}

export interface FinetuneHooks {
  /** Stops after the current update; a checkpoint is written (Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number, loss: number) => void;
  readonly onEval?: (e: EvalRecord) => void;
}

export interface FinetuneResult {
  /** Every evaluation, in order (those with endOfEpoch are the per-epoch metrics). */
  readonly evals: readonly EvalRecord[];
  /** The evaluation with the best primary metric (accuracy; Pearson for regression). */
  readonly best: EvalRecord | undefined;
  /** The model at the last update. */
  readonly final: SequenceClassifier;
  readonly steps: number;
  readonly totalSteps: number;
  readonly interrupted: boolean;
}

/** What a step checkpoint's trainer.json holds besides the step: the data cursor and the run's evaluations so far. */
interface FinetuneCursor {
  readonly data: ShuffleCursor;
  readonly evals: readonly EvalRecord[];
  readonly bestStep: number | null;
  readonly window: { readonly lossSum: number; readonly steps: number };
}

/** The training rows as a dataset split of row numbers: shuffledBatches deals (and resumes) the order. */
function rowNumbers(rows: number): DatasetSplit {
  const read = (indices: ArrayLike<number>) => ({ rows: indices.length, fields: { row: Int32Array.from(indices) } });
  return { name: 'train', rows, readRows: read, readRange: (start, count) => read(Int32Array.from({ length: count }, (_, i) => start + i)) };
}

/** JSON turns NaN into null; metrics read back from a checkpoint get their NaN back. */
const reviveEval = (e: EvalRecord): EvalRecord => ({
  ...e,
  trainLoss: e.trainLoss ?? NaN,
  validLoss: e.validLoss ?? NaN,
  metrics: Object.fromEntries(Object.entries(e.metrics).map(([k, v]) => [k, v ?? NaN])) as unknown as DownstreamMetrics,
});

const better = (a: EvalRecord, b: EvalRecord | undefined, metric: string): boolean => {
  if (b === undefined) return true;
  const x = (a.metrics as unknown as Record<string, number>)[metric]!;
  const y = (b.metrics as unknown as Record<string, number>)[metric]!;
  return x > y || (Number.isNaN(y) && !Number.isNaN(x));
};

/**
 * Fine-tunes a sequence classifier (the whole network) on a task: shuffled batches every epoch
 * (a last, smaller batch is padded at weight 0), train/'s compiled step (AdamW, gradient
 * clipping, the polynomial schedule), evaluation every `evalEvery` updates and at every epoch's
 * end, the best evaluation's model kept. With a run directory, every evaluation writes a
 * checkpoint, and a resumed run continues bit for bit: data order, dropout and the schedule
 * derive from (seed, step) only.
 */
export async function finetune(start: SequenceClassifier, task: TaskData, options: Partial<FinetuneOptions> = {}, run?: FinetuneRunDir, hooks: FinetuneHooks = {}): Promise<FinetuneResult> {
  const o = { ...FINETUNE_DEFAULTS, ...options };
  const { train, valid } = task;
  if (train.rows < 1) throw new DownstreamError('finetune: no training rows', {});
  if (train.seqLen > start.config.maxPositions) {
    throw new DownstreamError(`finetune: rows of ${train.seqLen} tokens exceed the model's ${start.config.maxPositions} positions (use a smaller --seq-len)`, { seqLen: train.seqLen });
  }
  for (const [name, v] of Object.entries({ epochs: o.epochs, batchSize: o.batchSize })) {
    if (!Number.isInteger(v) || v < 1) throw new DownstreamError(`finetune: ${name} must be a positive integer, got ${v}`, { option: name, value: v });
  }
  const B = Math.min(o.batchSize, train.rows);
  const stepsPerEpoch = Math.ceil(train.rows / B);
  const totalSteps = o.epochs * stepsPerEpoch;
  const schedule: Schedule = { kind: 'polynomial', lr: o.lr, warmupSteps: o.warmupSteps, totalSteps, power: 1, endLr: 1e-7 };
  const adamw: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: o.weightDecay, decays: noDecayForBiasAndLayerNorm };
  const model = { config: start.config, labels: task.labels };
  const objective = sequenceClassifierObjective(model);
  const metric = primaryMetric(task.labels.kind);

  const initial: TrainState = { params: start.params, extra: {}, opt: adamwInit(start.params) };
  const store = run ? runCheckpointStore<TrainState, FinetuneCursor>(run.dir, { config: run.config, expected: initial, keep: 1, ...(run.files ? { files: run.files } : {}) }) : undefined;
  const resumed = run?.resume ? store!.latest() : undefined;
  let step = resumed?.step ?? 0;
  const firstStep = step;
  let cursor: ShuffleCursor = resumed?.cursor.data ?? { epoch: 0, position: 0 };
  const evals: EvalRecord[] = (resumed?.cursor.evals ?? []).map(reviveEval);
  let best = evals.find((e) => e.step === resumed?.cursor.bestStep);
  let window = resumed?.cursor.window ?? { lossSum: 0, steps: 0 };

  const runner = new StepRunner({ objective, schedule, adamw, seed: o.seed, ...(o.clipNorm > 0 ? { clipNorm: o.clipNorm } : {}) }, resumed?.state ?? initial);
  const predictor = new ClassifierPredictor({ ...model, params: start.params as Concrete<SequenceClassifierParams> }, B, train.seqLen);
  const log = run ? new JsonLog(join(run.dir, 'log.jsonl')) : undefined;
  // lines of updates after the checkpoint (a crash between an evaluation's line and its checkpoint) are replayed
  if (resumed) log?.truncateAfter(step);
  const params = () => runner.state().params as Concrete<SequenceClassifierParams>;
  const save = () => store?.save({ state: runner.state(), step, cursor: { data: cursor, evals, bestStep: best?.step ?? null, window } });

  const evaluate = () => {
    const r = predictor.evaluate(valid, params());
    const e: EvalRecord = {
      step, epoch: step / stepsPerEpoch, endOfEpoch: step % stepsPerEpoch === 0, trainLoss: window.lossSum / Math.max(1, window.steps), validLoss: r.loss, metrics: r.metrics,
    };
    window = { lossSum: 0, steps: 0 };
    evals.push(e);
    log?.write({ update: step, epoch: e.epoch, train_loss: e.trainLoss, valid_loss: e.validLoss, ...Object.fromEntries(Object.entries(e.metrics).map(([k, v]) => [`valid_${k}`, v])) });
    if (better(e, best, metric)) {
      best = e;
      run?.saveBest({ ...model, params: params() }, e);
    }
    hooks.onEval?.(e);
    save();
  };

  const batches = shuffledBatches(rowNumbers(train.rows), { key: foldIn(rootKey(o.seed), 1), batchSize: B, start: cursor });
  let interrupted = false;
  while (step < totalSteps) {
    if (hooks.signal?.aborted) {
      interrupted = true;
      save();
      break;
    }
    const next = batches.next();
    if (next.done) throw new DownstreamError('finetune: the batch stream ended early', {});
    const out = runner.step(step, [rowBatch(train, next.value.indices, B)]);
    cursor = next.value.next;
    step++;
    window = { lossSum: window.lossSum + out.loss, steps: window.steps + 1 };
    hooks.onStep?.(step, out.loss);
    if ((o.evalEvery > 0 && step % o.evalEvery === 0) || step % stepsPerEpoch === 0) evaluate();
    // let a Ctrl-C handler run between updates
    await new Promise((r) => setImmediate(r));
  }
  if (!interrupted && best && step > firstStep) log?.write({ update: step, event: 'best', best_step: best.step, ...Object.fromEntries(Object.entries(best.metrics).map(([k, v]) => [`best_${k}`, v])) });
  return { evals, best, final: { ...model, params: params() }, steps: step, totalSteps, interrupted };
}
