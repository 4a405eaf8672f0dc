import type { TrainConfig } from '../../cli/train/trainConfig.ts';
import { PretextError } from '../../util/errors.ts';

/** A setting the page was given that it cannot train with (names the field and the value). */
export class WebSettingsError extends PretextError {}

/** The objectives the page offers (options as the demo trains them). */
export const WEB_OBJECTIVES = {
  mlm: { masking: { kind: 'exact', prob: 0.15 } },
  electra: { generatorSize: 0.5, discWeight: 50 },
  taco: { negatives: 8 },
} as const satisfies Record<string, Record<string, unknown>>;
export type WebObjective = keyof typeof WEB_OBJECTIVES;

/** Model sizes (pre-LN encoders; tiny is for tests). */
export const MODEL_SIZES = {
  tiny: { hidden: 16, layers: 1, heads: 2, ffn: 32 },
  small: { hidden: 64, layers: 2, heads: 4, ffn: 256 },
  medium: { hidden: 128, layers: 4, heads: 4, ffn: 512 },
} as const;
export type ModelSize = keyof typeof MODEL_SIZES;

/** What the page trains: everything a run depends on, so Node can repeat it bit for bit. */
export interface WebSettings {
  readonly objective: WebObjective;
  readonly size: ModelSize;
  /** The PCFG: generateGrammar(key(grammarSeed)), the study's shape (pcfg generate --grammar-seed). */
  readonly grammarSeed: number;
  /** Sampling seed of the corpus (pcfg generate --seed) and the run's seed (train --seed). */
  readonly seed: number;
  /** Training sentences. */
  readonly sentences: number;
  readonly seqLen: number;
  readonly batchSize: number;
  readonly steps: number;
  readonly lr: number;
}

export const DEFAULT_SETTINGS: WebSettings = {
  objective: 'mlm', size: 'small', grammarSeed: 0, seed: 0, sentences: 4000, seqLen: 20, batchSize: 32, steps: 400, lr: 2e-3,
};

const INTEGER_RANGES: Record<'grammarSeed' | 'seed' | 'sentences' | 'seqLen' | 'batchSize' | 'steps', readonly [number, number]> = {
  grammarSeed: [0, 2 ** 31 - 1], seed: [0, 2 ** 31 - 1], sentences: [1, 200_000], seqLen: [3, 64], batchSize: [1, 512], steps: [1, 100_000],
};

/** The settings, checked: a bad field is a WebSettingsError naming it and its value. */
export function checkSettings(s: WebSettings): WebSettings {
  const bad = (field: string, value: unknown, want: string): never => {
    throw new WebSettingsError(`${field} = ${JSON.stringify(value)}: ${want}`, { field, value });
  };
  if (!Object.hasOwn(WEB_OBJECTIVES, s.objective)) bad('objective', s.objective, `one of ${Object.keys(WEB_OBJECTIVES).join(', ')}`);
  if (!Object.hasOwn(MODEL_SIZES, s.size)) bad('size', s.size, `one of ${Object.keys(MODEL_SIZES).join(', ')}`);
  for (const [field, [lo, hi]] of Object.entries(INTEGER_RANGES)) {
    const v = s[field as keyof typeof INTEGER_RANGES];
    if (!Number.isInteger(v) || v < lo || v > hi) bad(field, v, `an integer in [${lo}, ${hi}]`);
  }
  if (s.batchSize > s.sentences) bad('batchSize', s.batchSize, `at most the ${s.sentences} training sentences`);
  if (!(s.lr > 0 && s.lr < 1)) bad('lr', s.lr, 'a learning rate in (0, 1)');
  return s;
}

/**
 * The `pretext train --config` file of the same run: every field explicit, so the page (which
 * reads its job from here, see trainingSession.ts) and `pretext train` need no shared defaults.
 */
export function trainConfigOf(s: WebSettings): TrainConfig & Required<Pick<TrainConfig, 'model' | 'train'>> {
  return {
    description: `pretext serve: ${s.objective} ${s.size}`,
    objective: s.objective,
    objectiveOptions: WEB_OBJECTIVES[s.objective],
    model: { ...MODEL_SIZES[s.size], typeVocabSize: 0, layerNorm: 'pre', dropout: 0.1, attentionDropout: 0, layerNormEps: 1e-12, gelu: 'erf', initStd: 0.02 },
    train: {
      steps: s.steps, batchSize: s.batchSize, accumulate: 1, seed: s.seed, clipNorm: 0, logEvery: 1, evalEvery: 0, checkpointEvery: 0, validBatches: 0,
      lossNormalizer: 'mean-of-micro-batches',
      schedule: { kind: 'linear', lr: s.lr, warmupSteps: Math.max(1, Math.round(0.06 * s.steps)), totalSteps: s.steps },
      adamw: { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.01, decay: 'noBiasLayerNorm' },
    },
  };
}
