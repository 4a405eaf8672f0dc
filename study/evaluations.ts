// The built-in evaluations of a study: each calls the library function the matching `pretext
// eval` / `pretext finetune` command calls, with that command's defaults (sequence lengths capped
// at the model's positions).
import { SPLIT_STREAMS } from '../cli/commands/pcfgGenerate.ts';
import { type Grammar, type TaskName, sampleSentences } from '../corpora/pcfg/index.ts';
import {
  METRICS, checkpointGrammar, checkpointHessianTrace, excessLoss as excessLossOf, excessLossRows, hessianRows, linearProbe, loadCheckpointEncoder, loadCheckpointMlm, probeRows,
} from '../eval/index.ts';
import type { GrammarRef } from '../models/checkpoint/index.ts';
import { finetune as finetuneOf } from '../finetune/finetune.ts';
import { pcfgTaskData } from '../finetune/pcfgTask.ts';
import { initSequenceClassifier } from '../finetune/sequenceClassifier.ts';
import { majorityBaseline } from '../finetune/taskData.ts';
import { foldIn, key } from '../prng/index.ts';
import { StudyError } from './errors.ts';
import type { EvalContext, Evaluation } from './evaluation.ts';

function grammarOf(ctx: EvalContext, ref: GrammarRef | undefined, dir: string): Grammar {
  if (!ref) throw new StudyError(`run ${ctx.runId}: its checkpoint names no grammar (pretext.grammar), which this evaluation needs: train on a PCFG corpus`, { run: ctx.runId });
  return checkpointGrammar(ref, dir).grammar;
}

/** Options of excessLoss (as `pretext eval loss`). */
export interface ExcessLossOptions {
  /** Validation sentences of the corpus's grammar (default 1000). */
  readonly sentences?: number;
  /** Sentence seed: the validation stream of `pcfg generate --seed S` (default 0). */
  readonly seed?: number;
  readonly seqLen?: number;
}

/** single_mask_loss, optimal_loss and excess_loss of the masked LM against the true PCFG conditionals (spec 5b5). */
export const excessLoss = (o: ExcessLossOptions = {}): Evaluation => ({
  name: 'excessLoss',
  options: o,
  run(ctx) {
    const model = loadCheckpointMlm(ctx.checkpoint);
    const grammar = grammarOf(ctx, model.loaded.pretext.grammar, model.dir);
    const seqLen = o.seqLen ?? Math.min(20, model.view.config.maxPositions);
    const sentences = sampleSentences(grammar, foldIn(key(o.seed ?? 0), SPLIT_STREAMS.valid), o.sentences ?? 1000, { maxLength: seqLen - 2 });
    // the study's table also holds the training log's "loss": this one is named for what it is
    return excessLossRows(ctx.runId, excessLossOf(model.view, { grammar, vocab: model.vocab, sentences, seqLen }), ctx.step).map(({ run: _run, ...r }) => (r.metric === METRICS.loss ? { ...r, metric: 'single_mask_loss' } : r));
  },
});

/** Options of hessianTrace (as `pretext eval hessian`). */
export interface HessianTraceOptions {
  readonly samples?: number;
  readonly batch?: number;
  /** Training sentences the minibatches are drawn from (default 1000). */
  readonly pool?: number;
  readonly seed?: number;
  readonly seqLen?: number;
}

/**
 * hessian_trace: Hutchinson's estimate of the loss's Hessian trace (spec 5b6) for the network the
 * checkpoint evaluates downstream, as `eval hessian` does: the masked LM's loss, or for ELECTRA
 * the discriminator's replaced-token-detection loss on rows the generator corrupted once.
 */
export const hessianTrace = (o: HessianTraceOptions = {}): Evaluation => ({
  name: 'hessianTrace',
  options: o,
  run(ctx) {
    const model = loadCheckpointEncoder(ctx.checkpoint);
    const grammar = grammarOf(ctx, model.grammar, model.dir);
    const seed = o.seed ?? 0;
    const seqLen = o.seqLen ?? model.config.maxPositions;
    const sentences = sampleSentences(grammar, foldIn(key(seed), SPLIT_STREAMS.train), o.pool ?? 1000, { maxLength: seqLen - 2 });
    const r = checkpointHessianTrace(model, grammar, sentences, { samples: o.samples ?? 100, batchSize: o.batch ?? 32, seed, seqLen });
    return hessianRows(ctx.runId, r, ctx.step).map(({ run: _run, ...row }) => row);
  },
});

/** Options of probe and finetune: a PCFG downstream task's rows (as `eval probe` / `finetune --task`). */
export interface DownstreamOptions {
  readonly task: TaskName;
  readonly train?: number;
  readonly valid?: number;
  readonly seed?: number;
  readonly seqLen?: number;
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
}

function taskOf(ctx: EvalContext, o: DownstreamOptions, defaultSeqLen: number) {
  const enc = loadCheckpointEncoder(ctx.checkpoint);
  const grammar = grammarOf(ctx, enc.grammar, enc.dir);
  const seqLen = o.seqLen ?? Math.min(defaultSeqLen, enc.config.maxPositions);
  const task = pcfgTaskData(grammar, enc.vocab, { task: o.task, train: o.train ?? 2000, valid: o.valid ?? 1000, seed: o.seed ?? 0, seqLen });
  return { enc, task };
}

/** probeT_accuracy per epoch, probeT_final_accuracy, probeT_best_accuracy (T the task) of a linear probe on the frozen encoder (spec 5b7), and taskT_majority_accuracy. */
export const probe = (o: DownstreamOptions): Evaluation => ({
  name: `probe${o.task}`,
  options: o,
  run(ctx) {
    const { enc, task } = taskOf(ctx, o, 20);
    const r = linearProbe({ params: enc.encoder, config: enc.config }, task.train, task.valid, {
      numLabels: task.labels.kind === 'classification' ? task.labels.names.length : 1,
      key: foldIn(key(o.seed ?? 0), 1),
      ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.batch !== undefined ? { batchSize: o.batch } : {}), ...(o.lr !== undefined ? { lr: o.lr } : {}),
    });
    // metric names carry the task, so probes on several tasks sit side by side: probeB_best_accuracy...
    const rows = probeRows(ctx.runId, r, ctx.step).map(({ run: _run, ...row }) => ({ ...row, metric: row.metric.replace(/^probe_/, `probe${o.task}_`) }));
    return [...rows, { metric: `task${o.task}_majority_accuracy`, value: majorityBaseline(task) }];
  },
});

/** finetuneT_best_accuracy and finetuneT_final_accuracy (validation; T the task) of full fine-tuning with a classification head (`finetune`), and taskT_majority_accuracy. */
export const finetune = (o: DownstreamOptions): Evaluation => ({
  name: `finetune${o.task}`,
  options: o,
  async run(ctx) {
    const { enc, task } = taskOf(ctx, o, 32);
    const start = initSequenceClassifier(enc.config, task.labels, foldIn(key(o.seed ?? 0), 3), enc.encoder);
    const r = await finetuneOf(start, task, { seed: o.seed ?? 0, ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.batch !== undefined ? { batchSize: o.batch } : {}), ...(o.lr !== undefined ? { lr: o.lr } : {}) });
    const accuracyOf = (e: (typeof r.evals)[number] | undefined) => (e && 'accuracy' in e.metrics ? e.metrics.accuracy : Number.NaN);
    return {
      [`finetune${o.task}_best_accuracy`]: accuracyOf(r.best),
      [`finetune${o.task}_final_accuracy`]: accuracyOf(r.evals[r.evals.length - 1]),
      [`task${o.task}_majority_accuracy`]: majorityBaseline(task),
    };
  },
});
