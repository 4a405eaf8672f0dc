import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Dataset, openDataset } from '../../corpora/dataset/index.ts';
import { type Vocab, readVocabFile } from '../../corpora/tokenizer/index.ts';
import type { EncoderConfig } from '../../models/config.ts';
import { type AnyObjective, vocabInfo } from '../../objectives/objective.ts';
import { objectiveEntry } from '../../objectives/registry.ts';
import { type AdamWConfig, noDecayForBiasAndLayerNorm } from '../../train/optim/adamw.ts';
import type { Schedule } from '../../train/schedule.ts';
import type { LossNormalizer } from '../../train/trainStep.ts';
import { CliError, decodeOrThrow } from '../options.ts';
import { resolveSchedule } from './scheduleConfig.ts';
import { type TrainConfig, TrainConfigCodec } from './trainConfig.ts';

/** Defaults for a small encoder that trains in minutes on a laptop CPU (PCFG-scale data). */
export const DEFAULT_MODEL = {
  hidden: 128, layers: 4, heads: 4, ffn: 512, typeVocabSize: 0, layerNorm: 'pre', dropout: 0.1, attentionDropout: 0.1,
  layerNormEps: 1e-12, gelu: 'erf', initStd: 0.02,
} as const;

export const DEFAULT_TRAIN = {
  batchSize: 64, accumulate: 1, seed: 0, clipNorm: 0, logEvery: 10, evalEvery: 100, checkpointEvery: 500, validBatches: 4,
  lossNormalizer: 'mean-of-micro-batches',
} as const;

export interface TrainJob {
  readonly objectiveName: string;
  readonly objectiveOptions: Record<string, unknown>;
  readonly corpusDir: string;
  readonly dataset: Dataset;
  readonly vocab: Vocab;
  readonly seqLen: number;
  readonly encoder: EncoderConfig;
  /** The model fields the config sets explicitly (the rest of `encoder` are defaults); `train --init` checks them against the checkpoint (continueModel.ts). */
  readonly modelSettings: Readonly<Partial<EncoderConfig>>;
  readonly steps: number;
  readonly batchSize: number;
  readonly accumulate: number;
  readonly lossNormalizer: LossNormalizer;
  readonly seed: number;
  readonly clipNorm: number;
  readonly logEvery: number;
  readonly evalEvery: number;
  readonly checkpointEvery: number;
  readonly validBatches: number;
  readonly schedule: Schedule;
  readonly adamw: AdamWConfig;
  readonly decay: 'all' | 'noBiasLayerNorm';
}

/** Reads and validates a JSON config file (every unknown key or wrong type is an error naming it). */
export function readTrainConfig(file: string): TrainConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file}: cannot read the config (${(e as Error).message})`, { file });
  }
  return decodeOrThrow(TrainConfigCodec, json, file);
}

export interface TrainOverrides {
  readonly objective?: string;
  readonly corpus: string;
  readonly steps?: number;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly lr?: number;
}

/** A complete job from a config (optional) and flags (which win). */
export function resolveTrainJob(config: TrainConfig, flags: TrainOverrides): TrainJob {
  const objectiveName = flags.objective ?? config.objective;
  if (!objectiveName) throw new CliError('train: no objective (use --objective or "objective" in the config)', { field: 'objective' });
  const entry = objectiveEntry(objectiveName);
  const objectiveOptions = decodeOrThrow(entry.options, config.objectiveOptions ?? {}, `objectiveOptions (${objectiveName})`);
  const dataset = openDataset(flags.corpus);
  const vocabFile = join(flags.corpus, dataset.manifest.vocab?.file ?? 'vocab.txt');
  if (!existsSync(vocabFile)) throw new CliError(`${flags.corpus}: the dataset has no vocabulary file (${vocabFile})`, { file: vocabFile });
  const vocab = readVocabFile(vocabFile);
  const seqLen = dataset.seqLen;
  const model = { ...DEFAULT_MODEL, ...config.model };
  const encoder: EncoderConfig = { ...model, vocabSize: vocab.size, maxPositions: seqLen };
  if (encoder.hidden % encoder.heads !== 0) throw new CliError(`model: hidden ${encoder.hidden} is not divisible by heads ${encoder.heads}`, { field: 'model.heads' });
  const t = { ...DEFAULT_TRAIN, ...config.train };
  const steps = flags.steps ?? config.train?.steps;
  if (steps === undefined) throw new CliError('train: no step count (use --steps or "train.steps" in the config)', { field: 'steps' });
  const lr = flags.lr ?? config.train?.schedule?.lr ?? 5e-4;
  if (!(lr > 0)) throw new CliError(`${flags.lr !== undefined ? '--lr' : 'train.schedule.lr'} must be positive, got ${lr}`, { field: flags.lr !== undefined ? 'lr' : 'train.schedule.lr' });
  const batchSize = flags.batchSize ?? t.batchSize;
  const batchFrom = flags.batchSize !== undefined ? '--batch-size' : config.train?.batchSize !== undefined ? 'train.batchSize' : 'the default batch size';
  if (batchSize < 1) throw new CliError(`${batchFrom} must be at least 1, got ${batchSize}`, { field: 'batchSize' });
  const trainRows = dataset.split('train').rows;
  if (batchSize > trainRows) throw new CliError(`${batchFrom} ${batchSize} is more than the ${trainRows} training rows of ${flags.corpus}`, { field: 'batchSize' });
  const schedule = resolveSchedule(config.train?.schedule, steps, lr);
  const decay = config.train?.adamw?.decay ?? 'noBiasLayerNorm';
  const adamw: AdamWConfig = {
    beta1: config.train?.adamw?.beta1 ?? 0.9,
    beta2: config.train?.adamw?.beta2 ?? 0.98,
    eps: config.train?.adamw?.eps ?? 1e-6,
    weightDecay: config.train?.adamw?.weightDecay ?? 0.01,
    ...(decay === 'noBiasLayerNorm' ? { decays: noDecayForBiasAndLayerNorm } : {}),
  };
  return {
    objectiveName, objectiveOptions, corpusDir: flags.corpus, dataset, vocab, seqLen, encoder, modelSettings: config.model ?? {}, steps,
    batchSize, accumulate: t.accumulate, lossNormalizer: t.lossNormalizer, seed: flags.seed ?? t.seed, clipNorm: t.clipNorm,
    logEvery: t.logEvery, evalEvery: t.evalEvery, checkpointEvery: t.checkpointEvery, validBatches: t.validBatches,
    schedule, adamw, decay,
  };
}

/** The job as JSON (what is written to the run's config). */
export function jobJson(job: TrainJob): Record<string, unknown> {
  return {
    objective: job.objectiveName, objectiveOptions: job.objectiveOptions, corpus: job.corpusDir, model: job.encoder,
    train: {
      steps: job.steps, batchSize: job.batchSize, accumulate: job.accumulate, lossNormalizer: job.lossNormalizer, seed: job.seed, clipNorm: job.clipNorm,
      logEvery: job.logEvery, evalEvery: job.evalEvery, checkpointEvery: job.checkpointEvery, validBatches: job.validBatches,
      schedule: job.schedule, adamw: { beta1: job.adamw.beta1, beta2: job.adamw.beta2, eps: job.adamw.eps, weightDecay: job.adamw.weightDecay, decay: job.decay },
    },
  };
}

export function buildObjective(job: TrainJob, hardPositions?: ReadonlyMap<number, ArrayLike<number>>): AnyObjective {
  return objectiveEntry(job.objectiveName).build(job.objectiveOptions, {
    encoder: job.encoder, vocab: vocabInfo(job.vocab), ...(hardPositions ? { hardPositions } : {}),
  });
}
