import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ShuffleCursor } from '../../corpora/dataset/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import type { Concrete } from '../../dsl/trace.ts';
import { flatten } from '../../dsl/tree.ts';
import { checkpointConfig, electraCheckpointConfig, mlmLocationOf, runCheckpointStore } from '../../models/checkpoint/index.ts';
import { electraOptionsJson } from '../../objectives/electra/index.ts';
import type { MlmModelParams } from '../../models/params.ts';
import type { AnyObjective, TokenBatch } from '../../objectives/objective.ts';
import { datasetBlockBatches, loadHardTokens, saveHardTokens, selfQuestion } from '../../objectives/selfEvolution/index.ts';
import { JsonLog } from '../../train/jsonLog.ts';
import { JsonLogWithTensorBoard } from '../../train/tensorboard/writer.ts';
import { type StepLog, StepRunner, type TrainState } from '../../train/loop.ts';
import { adamwInit } from '../../train/optim/adamw.ts';
import { ProgressBar } from '../../train/progress.ts';
import { tokenBatchFromRows } from '../../train/tokenBatches.ts';
import { type TrainingResult, train } from '../../train/trainer.ts';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import { checkpointVocab, hasCheckpointVocab, loadCheckpointMlmModel } from '../../eval/checkpointModel.ts';
import { CliError } from '../options.ts';
import { continuedJob } from './continueModel.ts';
import { HARD_TOKENS_FILE, JOB_FILE, LOG_FILE, checkResumedJob, checkRunFolder, clearRun } from './runFolder.ts';
import { type TrainJob, buildObjective, jobJson } from './resolveJob.ts';
import { releaseWebgpu } from '../../compiler/backends/webgpu/device.ts';

export interface RunOptions {
  readonly out: string;
  readonly resume: boolean;
  /** Replace a run already in `out` (only the files training writes, see runFolder.ts). */
  readonly overwrite?: boolean;
  readonly progress?: boolean;
  /** SE: the checkpoint (or run directory) of the model to continue from. */
  readonly initFrom?: string;
  /** SE: a stage-1 hard-token file; computed from initFrom when absent. */
  readonly hardTokens?: string;
  readonly log?: (line: string) => void;
  /** Called after every update (a study's progress display). */
  readonly onStep?: (log: StepLog) => void;
  /** Stops cleanly after this many seconds of training (a wall-clock budget; not reproducible). */
  readonly stopAfterSeconds?: number;
  /** Also write the log's scalars as TensorBoard event files into this folder. */
  readonly tensorboard?: string;
  /** Stops training cleanly (a checkpoint is saved) once aborted, as Ctrl-C does. */
  readonly signal?: AbortSignal;
  /** Where the training steps run (default 'cpu'). */
  readonly backend?: 'cpu' | 'webgpu';
}

/** The first `batches` validation batches of the dataset (fixed: the same rows every evaluation). */
export function validationBatches(job: TrainJob, batches: number): TokenBatch[] {
  if (batches === 0 || !job.dataset.splitNames.includes('valid')) return [];
  const split = job.dataset.split('valid');
  const out: TokenBatch[] = [];
  for (let b = 0; b < batches && b * job.batchSize < split.rows; b++) {
    const count = Math.min(job.batchSize, split.rows - b * job.batchSize);
    if (count < 2) break;
    out.push(tokenBatchFromRows(split.readRange(b * job.batchSize, count), job.seqLen, 'valid'));
  }
  return out;
}

/**
 * The model a run continues (`--init`; SE continues a pretrained model): its parameters, and the
 * job with the checkpoint's architecture (continueModel.ts). A pretext or transformers
 * checkpoint; one without a vocabulary (RoBERTa's BPE files only) is checked by vocabulary size.
 */
function initialMlm(job: TrainJob, from: string, say: (line: string) => void): { job: TrainJob; params: Concrete<MlmModelParams> } {
  if (job.objectiveName !== 'se') throw new CliError(`--init continues a pretrained model with --objective se; this run's objective is ${job.objectiveName}`, { flag: 'init' });
  const ck = loadCheckpointMlmModel(from);
  const vocab = hasCheckpointVocab(ck.loaded) ? checkpointVocab(ck.loaded) : undefined;
  if (!vocab) say(`--init ${from}: no vocabulary beside the model; its token ids are taken to be the dataset's (${job.vocab.source})`);
  return { job: continuedJob(job, ck.view.config, vocab, from), params: { encoder: ck.view.encoder, mlmHead: ck.view.mlmHead } };
}

/** SE stage 1's batches on a progress bar (rows scored), like training's. */
function* withProgress(batches: Iterable<TokenBatch>, rows: number, enabled: boolean): Generator<TokenBatch> {
  const bar = new ProgressBar(rows, 0, 'se stage 1', enabled, false);
  const t0 = performance.now();
  let done = 0;
  try {
    for (const b of batches) {
      yield b; // the consumer scores it before asking for the next
      done += b.rows;
      bar.update(done, Number.NaN, (done * b.seqLen * 1000) / (performance.now() - t0));
    }
  } finally {
    bar.stop();
  }
}

/**
 * Runs a training job: objective, data, checkpoints, logs, and for SE its stage 1 first. Nothing
 * is written to the run folder until everything is validated (the folder's state, a resumed
 * run's job and checkpoint, the inputs); a failed --resume leaves the run's files as they were.
 */
export async function runTrainJob(job: TrainJob, o: RunOptions): Promise<TrainingResult & { objective: AnyObjective }> {
  const say = o.log ?? ((l: string) => console.error(l));
  const inputs = [...(o.initFrom ? [{ flag: 'init', path: o.initFrom }] : []), ...(o.hardTokens ? [{ flag: 'hard-tokens', path: o.hardTokens }] : [])];
  checkRunFolder(o.out, { resume: o.resume, overwrite: o.overwrite ?? false, inputs });
  // a continued run's architecture is the checkpoint's, so it is known before a resumed job is compared
  const init = o.initFrom ? initialMlm(job, o.initFrom, say) : undefined;
  if (init) job = init.job;
  if (o.resume) checkResumedJob(o.out, jobJson(job));
  let hardPositions: ReadonlyMap<number, ArrayLike<number>> | undefined;
  let initialParams: Concrete<MlmModelParams> | undefined;
  let stage1: { file: string; hard: Map<number, Int32Array>; said: string } | undefined;
  if (job.objectiveName === 'se') {
    if (!init) throw new CliError('train --objective se continues a pretrained model: give --init CHECKPOINT', { flag: 'init' });
    initialParams = init.params;
    const file = o.hardTokens ?? join(o.out, HARD_TOKENS_FILE);
    if (o.hardTokens || (o.resume && existsSync(file))) hardPositions = loadHardTokens(file).hard;
    else {
      say(`se stage 1: scoring every training block with ${o.initFrom}`);
      const split = job.dataset.split('train');
      const { hard, summary } = selfQuestion(initialParams, job.encoder, withProgress(datasetBlockBatches(split, job.seqLen, 256), split.rows, o.progress ?? false), {
        ...(job.objectiveOptions['threshold'] !== undefined ? { threshold: job.objectiveOptions['threshold'] as number } : {}),
      });
      stage1 = { file, hard, said: `se stage 1: ${(summary.hardFraction * 100).toFixed(1)}% of tokens hard, mean |H| ${summary.meanHardPerBlock.toFixed(2)} -> ${file}` };
      hardPositions = hard;
    }
  }
  const objective = buildObjective(job, hardPositions);
  const fresh = StepRunner.initialState(objective, job.seed);
  const initial: TrainState = initialParams ? { params: initialParams, extra: fresh.extra, opt: adamwInit(initialParams) } : fresh;
  const grammarFile = join(job.corpusDir, 'grammar.txt');
  const files: Record<string, string> = { 'vocab.txt': readFileSync(join(job.corpusDir, job.dataset.manifest.vocab?.file ?? 'vocab.txt'), 'utf8') };
  if (existsSync(grammarFile)) files['grammar.txt'] = readFileSync(grammarFile, 'utf8');
  // ELECTRA: the discriminator is the run's model (ElectraForPreTraining names), the generator beside it in the same file
  const mlm = objective.electra ? undefined : mlmLocationOf(initial.params, objective.mlm(initial.params));
  const described = {
    objective: { name: job.objectiveName, options: job.objectiveOptions },
    vocab: { file: 'vocab.txt' },
    ...(files['grammar.txt'] ? { grammar: { file: 'grammar.txt' } } : {}),
    padTokenId: job.vocab.specials.pad,
    more: { job: jobJson(job) },
  };
  const config = objective.electra
    ? electraCheckpointConfig({ ...described, model: objective.electra.model, options: electraOptionsJson(objective.electra) })
    : checkpointConfig({ ...described, encoder: objective.mlm(initial.params).config, mlm });
  const store = runCheckpointStore<TrainState, ShuffleCursor>(o.out, {
    config,
    files,
    expected: initial,
    ...(mlm?.in === 'view' ? { mlmView: (s: TrainState) => { const v = objective.mlm(s.params); return { encoder: v.encoder, mlmHead: v.mlmHead }; } } : {}),
  });
  const resumeFrom = o.resume ? store.latest() : undefined;
  const valid = validationBatches(job, job.validBatches);
  // validated: from here on the run folder is written
  if (o.overwrite) clearRun(o.out);
  if (stage1) {
    saveHardTokens(stage1.file, stage1.hard, { threshold: (job.objectiveOptions['threshold'] as number | undefined) ?? 0.1 });
    say(stage1.said);
  }
  writeFileAtomic(join(o.out, JOB_FILE), `${JSON.stringify(jobJson(job), null, 2)}\n`);
  const leaves = flatten<HostTensor>(initial.params, (x) => x instanceof HostTensor).leaves;
  say(`${job.objectiveName}: ${leaves.reduce((s, t) => s + t.data.length, 0).toLocaleString()} parameters, ${job.steps} steps of ${job.batchSize} x ${job.seqLen}`);
  const result = await train({
    objective, dataset: job.dataset, seqLen: job.seqLen, batchSize: job.batchSize, accumulate: job.accumulate, lossNormalizer: job.lossNormalizer, steps: job.steps,
    schedule: job.schedule, adamw: job.adamw, ...(job.clipNorm > 0 ? { clipNorm: job.clipNorm } : {}), seed: job.seed,
    log: o.tensorboard ? new JsonLogWithTensorBoard(join(o.out, LOG_FILE), o.tensorboard) : new JsonLog(join(o.out, LOG_FILE)), logEvery: job.logEvery, evalEvery: job.evalEvery, checkpointEvery: job.checkpointEvery,
    checkpoints: store, valid, ...(resumeFrom ? { resumeFrom } : {}), ...(o.signal ? { signal: o.signal } : {}), ...(o.progress !== undefined ? { progress: o.progress } : {}),
    initialState: initial,
    ...(o.onStep ? { onStep: o.onStep } : {}), ...(o.stopAfterSeconds !== undefined ? { stopAfterSeconds: o.stopAfterSeconds } : {}),
    ...(o.backend ? { backend: o.backend } : {}),
  }).finally(() => (o.backend === 'webgpu' ? releaseWebgpu() : undefined)); // Dawn's device would keep the process alive
  return { ...result, objective };
}
