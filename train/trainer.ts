import type { Dataset, ShuffleCursor } from '../corpora/dataset/index.ts';
import { shuffledBatches } from '../corpora/dataset/index.ts';
import type { AnyObjective, TokenBatch } from '../objectives/objective.ts';
import { JsonLog } from './jsonLog.ts';
import { type StepLog, StepRunner, type TrainState, evaluateObjective, trainingDataKey } from './loop.ts';
import type { AdamWConfig } from './optim/adamw.ts';
import { ProgressBar } from './progress.ts';
import type { Schedule } from './schedule.ts';
import type { LossNormalizer } from './trainStep.ts';
import { PretextError } from '../util/errors.ts';
import { TrainingDataError, tokenBatchFromRows } from './tokenBatches.ts';

/** What a checkpoint holds for resuming: the state and where training stands. */
export interface TrainerCheckpoint {
  readonly state: TrainState;
  readonly step: number;
  readonly cursor: ShuffleCursor;
}

/** Where checkpoints go (the CLI plugs in models/checkpoint). */
export interface CheckpointStore {
  save(checkpoint: TrainerCheckpoint): void;
  latest(): TrainerCheckpoint | undefined;
}

export interface TrainingOptions {
  readonly objective: AnyObjective;
  readonly dataset: Dataset;
  readonly seqLen: number;
  readonly batchSize: number;
  /** Micro-batches per update. */
  readonly accumulate: number;
  /** How accumulation combines them (default 'mean-of-micro-batches'). */
  readonly lossNormalizer?: LossNormalizer;
  readonly steps: number;
  readonly schedule: Schedule;
  readonly adamw: AdamWConfig;
  readonly clipNorm?: number;
  readonly seed: number;
  readonly log?: JsonLog;
  readonly logEvery: number;
  readonly evalEvery: number;
  readonly checkpointEvery: number;
  readonly checkpoints?: CheckpointStore;
  /** Validation batches (fixed; masks from validSeed). */
  readonly valid?: readonly TokenBatch[];
  /** The checkpoint to continue from (e.g. checkpoints.latest()); a fresh run when absent. */
  readonly resumeFrom?: TrainerCheckpoint;
  readonly progress?: boolean;
  /** Stops as Ctrl-C does once aborted (a caller that runs several jobs, e.g. the demo, stops them all). */
  readonly signal?: AbortSignal;
  /** Called after every update (tests, sweeps). */
  readonly onStep?: (log: StepLog) => void;
  /** Stops cleanly at the first update after this many seconds (a wall-clock budget: not reproducible). */
  readonly stopAfterSeconds?: number;
  /** Start from this state instead of the objective's initialisation (e.g. continued pretraining). */
  readonly initialState?: TrainState;
  /** Where the steps run (default 'cpu'; 'webgpu': the state stays on the GPU, validation runs on the cpu backend). */
  readonly backend?: 'cpu' | 'webgpu';
}

export interface TrainingResult {
  readonly state: TrainState;
  readonly steps: number;
  readonly interrupted: boolean;
  /** Stopped by stopAfterSeconds. */
  readonly timeLimitReached: boolean;
  readonly history: readonly StepLog[];
  readonly validation: readonly { step: number; loss: number; metrics: Record<string, number> }[];
}

const VALID_SEED_OFFSET = 7919;

/** A non-finite loss or gradient norm: training stops there and saves nothing after the last good checkpoint. */
export class TrainingDivergedError extends PretextError {}

/**
 * The training loop: shuffled batches from the dataset (by key, resumable), compiled steps on
 * resident state, JSON-lines logs, validation, checkpoints every N updates and at the end, and a
 * clean stop on Ctrl-C (the current update finishes, a checkpoint is written). Resuming from a
 * checkpoint continues bit for bit: data order, masks and dropout all derive from (seed, step);
 * the log drops lines of updates after the checkpoint (they are replayed) and marks the resume.
 * A non-finite loss or gradient norm stops training (TrainingDivergedError) without saving.
 */
export async function train(o: TrainingOptions): Promise<TrainingResult> {
  const dataKey = trainingDataKey(o.seed);
  const ck = o.resumeFrom;
  const start = ck?.step ?? 0;
  let cursor: ShuffleCursor = ck?.cursor ?? { epoch: 0, position: 0 };
  const initial = ck?.state ?? o.initialState ?? StepRunner.initialState(o.objective, o.seed);
  if (ck && o.log) {
    const dropped = o.log.truncateAfter(start);
    o.log.write({ event: 'resume', step: start, ...(dropped > 0 ? { droppedLines: dropped } : {}) });
  }
  const runner = new StepRunner({
    objective: o.objective, schedule: o.schedule, adamw: o.adamw, seed: o.seed, ...(o.clipNorm !== undefined ? { clipNorm: o.clipNorm } : {}),
    ...(o.lossNormalizer !== undefined ? { lossNormalizer: o.lossNormalizer } : {}), ...(o.backend ? { backend: o.backend } : {}),
  }, initial);
  const split = o.dataset.split('train');
  const batches = shuffledBatches(split, { key: dataKey, batchSize: o.batchSize, start: cursor, dropLast: true });
  const history: StepLog[] = [];
  const validation: TrainingResult['validation'][number][] = [];
  let interrupted = o.signal?.aborted ?? false;
  const onSigint = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSigint);
  o.signal?.addEventListener('abort', onSigint);
  const bar = new ProgressBar(o.steps, start, o.objective.name, o.progress ?? process.stderr.isTTY === true);
  // cumulative compute for curves against tokens (input positions) and FLOPs; a resumed run counts the updates before it
  const tokensPerUpdate = o.accumulate * o.batchSize * o.seqLen;
  let flops: number | undefined = start === 0 ? 0 : undefined;
  const totals = (at: number) => ({ tokens: at * tokensPerUpdate, ...(flops !== undefined ? { flops } : {}) });
  const startedAt = performance.now();
  let timeLimitReached = false;
  const validate = async (step: number) => {
    if (!o.valid?.length) return;
    const r = evaluateObjective(o.objective, await runner.stateAsync(), o.valid, o.seed + VALID_SEED_OFFSET);
    validation.push({ step, ...r });
    o.log?.write({ update: step, valid_loss: r.loss, ...totals(step), ...Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [`valid_${k}`, v])) });
  };
  let lastSaved = ck ? start : undefined;
  const save = async (step: number) => {
    if (o.checkpoints) o.checkpoints.save({ state: await runner.stateAsync(), step, cursor });
    lastSaved = step;
  };
  let step = start;
  try {
    if (start === 0 && o.evalEvery > 0) await validate(0);
    while (step < o.steps && !interrupted && !timeLimitReached) {
      const micro: TokenBatch[] = [];
      for (let i = 0; i < o.accumulate; i++) {
        const next = batches.next();
        if (next.done) throw new TrainingDataError(`the training split has ${split.rows} rows, fewer than one batch of ${o.batchSize}`, { field: 'batchSize' });
        micro.push(tokenBatchFromRows(next.value.data, o.seqLen, 'train'));
        cursor = next.value.next;
      }
      const log = await runner.stepAsync(step, micro);
      if (!Number.isFinite(log.loss) || !Number.isFinite(log.gradNorm)) {
        o.log?.write({ event: 'diverged', step: step + 1, loss: log.loss, gnorm: log.gradNorm });
        throw new TrainingDivergedError(
          `update ${step + 1}: the loss is ${log.loss} and the gradient norm ${log.gradNorm}; training stopped without saving ` +
            `(${lastSaved !== undefined ? `the last checkpoint, of update ${lastSaved}, is kept` : 'no checkpoint had been saved'}; a lower learning rate or clipping may help)`,
          { step: step + 1, loss: log.loss, gradNorm: log.gradNorm, lastCheckpoint: lastSaved },
        );
      }
      flops = (flops ?? flopsBefore(runner, start, micro)) + log.flops;
      history.push(log);
      step++;
      const tokens = micro.reduce((s, b) => s + b.attentionMask.reduce((a, v) => a + v, 0), 0);
      const tps = (tokens * 1000) / log.ms;
      bar.update(step, log.loss, tps);
      if (o.log && (step % o.logEvery === 0 || step === o.steps || interrupted)) {
        o.log.write({ epoch: cursor.epoch, update: step, loss: log.loss, lr: log.lr, gnorm: log.gradNorm, tokens_per_s: tps, ms: log.ms, ...totals(step), ...log.metrics });
      }
      o.onStep?.(log);
      if (o.stopAfterSeconds !== undefined && (performance.now() - startedAt) / 1000 >= o.stopAfterSeconds) timeLimitReached = true;
      if (o.evalEvery > 0 && step % o.evalEvery === 0) await validate(step);
      if (o.checkpointEvery > 0 && step % o.checkpointEvery === 0 && step < o.steps) await save(step);
      // let signal handlers run between updates
      await new Promise((r) => setImmediate(r));
    }
    // a resumed run that had nothing left to do leaves its files as they were
    if (step > start) {
      if (validation[validation.length - 1]?.step !== step) await validate(step);
      await save(step);
    }
  } finally {
    bar.stop();
    process.removeListener('SIGINT', onSigint);
    o.signal?.removeEventListener('abort', onSigint);
  }
  return { state: await runner.stateAsync(), steps: step, interrupted, timeLimitReached, history, validation };
}

/** FLOPs of updates 0..start-1 (a resumed run's total so far), by each update's program. */
function flopsBefore(runner: StepRunner, start: number, batches: readonly TokenBatch[]): number {
  let total = 0;
  for (let s = 0; s < start; s++) total += runner.stepFlops(s, batches);
  return total;
}
