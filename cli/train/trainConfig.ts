import * as t from 'io-ts';
import { ScheduleConfigCodec } from './scheduleConfig.ts';
import { strictPartial as strict } from '../../util/strictCodec.ts';

const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'positive integer');
const NonNegativeInt = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'non-negative integer');
const Probability = t.refinement(t.number, (n) => n >= 0 && n < 1, 'number in [0, 1)');

/** Model architecture overrides (the vocabulary size and positions come from the corpus). */
export const ModelConfigCodec = strict(
  {
    hidden: PositiveInt,
    layers: PositiveInt,
    heads: PositiveInt,
    ffn: PositiveInt,
    typeVocabSize: NonNegativeInt,
    layerNorm: t.union([t.literal('post'), t.literal('pre')]),
    dropout: Probability,
    attentionDropout: Probability,
    layerNormEps: t.number,
    gelu: t.union([t.literal('erf'), t.literal('tanh')]),
    initStd: t.number,
  },
  'model',
);

export const AdamWConfigCodec = strict(
  {
    beta1: t.number,
    beta2: t.number,
    eps: t.number,
    weightDecay: t.number,
    /** 'all' parameters decay, or BERT's exclusion of biases and LayerNorm. */
    decay: t.union([t.literal('all'), t.literal('noBiasLayerNorm')]),
  },
  'adamw',
);

export const TrainSectionCodec = strict(
  {
    steps: PositiveInt,
    batchSize: PositiveInt,
    accumulate: PositiveInt,
    seed: NonNegativeInt,
    clipNorm: t.number,
    logEvery: PositiveInt,
    evalEvery: NonNegativeInt,
    checkpointEvery: NonNegativeInt,
    validBatches: NonNegativeInt,
    schedule: ScheduleConfigCodec,
    adamw: AdamWConfigCodec,
    /** How gradient accumulation combines micro-batches (train/trainStep.ts LossNormalizer; default 'mean-of-micro-batches'). */
    lossNormalizer: t.union([t.literal('mean-of-micro-batches'), t.literal('total-tokens')]),
  },
  'train',
);

/** The JSON config of `pretext train` and of its presets (every section optional; flags override it). */
export const TrainConfigCodec = strict(
  {
    /** One line on what the config is (a preset's line in `train --help`). */
    description: t.string,
    objective: t.string,
    model: ModelConfigCodec,
    objectiveOptions: t.UnknownRecord,
    train: TrainSectionCodec,
  },
  'config',
);

export type TrainConfig = t.TypeOf<typeof TrainConfigCodec>;
