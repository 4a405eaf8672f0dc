import { shuffledBatches, type ShuffledBatch } from '../../corpora/dataset/index.ts';
import { excessLoss } from '../../eval/excessLoss.ts';
import { mlmViewOf } from '../../eval/mlmView.ts';
import { checkpointConfig } from '../../models/checkpoint/config.ts';
import { electraCheckpointConfig } from '../../models/checkpoint/electraConfig.ts';
import { checkpointFiles, type CheckpointFile } from '../../models/checkpoint/checkpointFiles.ts';
import { mlmLocationOf } from '../../models/checkpoint/mlmLocation.ts';
import type { EncoderConfig } from '../../models/config.ts';
import { electraOptionsJson } from '../../objectives/electra/options.ts';
import { type AnyObjective, vocabInfo } from '../../objectives/objective.ts';
import { objectiveEntry } from '../../objectives/registry.ts';
import { resolveSchedule } from '../../cli/train/scheduleConfig.ts';
import { StepRunner, trainingDataKey } from '../../train/loop.ts';
import { type AdamWConfig, noDecayForBiasAndLayerNorm } from '../../train/optim/adamw.ts';
import { TrainingDataError, tokenBatchFromRows } from '../../train/tokenBatches.ts';
import { type WebCorpus, webCorpus } from './corpus.ts';
import { predictMasked, type Prediction } from './predictions.ts';
import { checkSettings, trainConfigOf, type WebSettings } from './settings.ts';

/** One update as the page plots it. */
export interface StepReport {
  /** Updates done (1 after the first). */
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
  readonly ms: number;
  /** Non-pad input tokens of the update, per second of its step. */
  readonly tokensPerSecond: number;
}

export interface ExcessReport {
  readonly step: number;
  /** Single-mask loss of the masked LM (ELECTRA: its generator) on held-out sentences, nats per word. */
  readonly loss: number;
  readonly optimalLoss: number;
  readonly excessLoss: number;
}

/**
 * A training run of the page, step by step (it runs in a Web Worker; Node runs it in tests): the
 * corpus generated in memory, the objective and job of `pretext train --config trainConfigOf(s)`
 * on the corpus of `pretext pcfg generate`, the trainer's data order and step keys. So the losses
 * are Node's, bit for bit, on the cpu backend.
 */
export class TrainingSession {
  readonly settings: WebSettings;
  readonly corpus: WebCorpus;
  readonly objective: AnyObjective;
  readonly encoder: EncoderConfig;
  private readonly runner: StepRunner;
  private readonly batches: Generator<ShuffledBatch>;
  private done = 0;

  constructor(settings: WebSettings) {
    this.settings = checkSettings(settings);
    const config = trainConfigOf(settings);
    const { model, train } = config;
    this.corpus = webCorpus(settings);
    this.encoder = { ...(model as Required<typeof model>), vocabSize: this.corpus.vocab.size, maxPositions: settings.seqLen };
    this.objective = objectiveEntry(settings.objective).build(config.objectiveOptions ?? {}, { encoder: this.encoder, vocab: vocabInfo(this.corpus.vocab) });
    const a = train.adamw!;
    const adamw: AdamWConfig = { beta1: a.beta1!, beta2: a.beta2!, eps: a.eps!, weightDecay: a.weightDecay!, ...(a.decay === 'noBiasLayerNorm' ? { decays: noDecayForBiasAndLayerNorm } : {}) };
    const schedule = resolveSchedule(train.schedule, settings.steps, settings.lr);
    this.runner = new StepRunner({ objective: this.objective, schedule, adamw, seed: settings.seed }, StepRunner.initialState(this.objective, settings.seed));
    this.batches = shuffledBatches(this.corpus.train, { key: trainingDataKey(settings.seed), batchSize: settings.batchSize, dropLast: true });
  }

  /** Updates done so far. */
  get step(): number {
    return this.done;
  }

  get finished(): boolean {
    return this.done >= this.settings.steps;
  }

  /** One update (the first compiles the step). */
  trainStep(): StepReport {
    const next = this.batches.next();
    if (next.done) throw new TrainingDataError(`the training split has ${this.corpus.train.rows} rows, fewer than one batch of ${this.settings.batchSize}`, { field: 'batchSize' });
    const batch = tokenBatchFromRows(next.value.data, this.settings.seqLen, 'train');
    const log = this.runner.step(this.done, [batch]);
    this.done++;
    const tokens = batch.attentionMask.reduce((s, v) => s + v, 0);
    return { step: this.done, loss: log.loss, lr: log.lr, gradNorm: log.gradNorm, ms: log.ms, tokensPerSecond: (tokens * 1000) / log.ms };
  }

  /** The excess loss of the masked LM over the optimum (true conditionals of the grammar). */
  excess(): ExcessReport {
    const r = excessLoss(mlmViewOf(this.objective, this.runner.state().params), {
      grammar: this.corpus.grammar, vocab: this.corpus.vocab, sentences: this.corpus.held, seqLen: this.settings.seqLen,
    });
    return { step: this.done, loss: r.loss, optimalLoss: r.optimalLoss, excessLoss: r.excessLoss };
  }

  /** The masked LM's top `k` words for the first [MASK] (or _) of `text`. */
  predict(text: string, k = 5): Prediction[] {
    return predictMasked(mlmViewOf(this.objective, this.runner.state().params), this.corpus.vocab, text, k);
  }

  /**
   * The checkpoint as files (model.safetensors, config.json), as `pretext train` would save them
   * for this run: `pretext eval` loads them from a folder. The vocabulary is inline in the config;
   * the grammar is named by its seed.
   */
  checkpoint(): Map<string, CheckpointFile> {
    const { params, extra } = this.runner.state();
    const o = this.objective;
    const described = {
      objective: { name: this.settings.objective, options: trainConfigOf(this.settings).objectiveOptions ?? {} },
      vocab: { tokens: [...this.corpus.vocab.tokens] },
      grammar: { seed: this.settings.grammarSeed },
      padTokenId: this.corpus.vocab.specials.pad,
      more: { trainedBy: 'pretext serve', settings: this.settings, step: this.done },
    };
    if (o.electra) {
      const config = electraCheckpointConfig({ ...described, model: o.electra.model, options: electraOptionsJson(o.electra) });
      return checkpointFiles({ config, params, extra }, {}, 'pretext-serve');
    }
    const view = o.mlm(params);
    const mlm = mlmLocationOf(params, view);
    const config = checkpointConfig({ ...described, encoder: view.config, mlm });
    return checkpointFiles({ config, params, extra, ...(mlm.in === 'view' ? { mlmView: { encoder: view.encoder, mlmHead: view.mlmHead } } : {}) }, {}, 'pretext-serve');
  }
}
