import type { Grammar, SentenceBatch } from '../corpora/pcfg/index.ts';
import { vocabInfo } from '../objectives/objective.ts';
import { foldIn, key } from '../prng/key.ts';
import type { CheckpointEncoder } from './checkpointEncoder.ts';
import { loadCheckpointMlm } from './checkpointModel.ts';
import { discriminatorHessianTrace, electraRtdPool } from './electraHessian.ts';
import { type HutchinsonResult, mlmHessianTrace } from './hessianTrace.ts';
import { BUDGET_MASKING, pcfgMlmPool, pcfgTokenRows } from './pcfgData.ts';

export interface CheckpointHessianOptions {
  readonly samples: number;
  readonly batchSize: number;
  /** Masks (MLM) come from it; v and the minibatches from foldIn(key(seed), 2); ELECTRA's corruption from foldIn(key(seed), 3). */
  readonly seed: number;
  readonly seqLen: number;
}

/**
 * The Hessian trace (spec 5b6) of the network a checkpoint evaluates downstream, on pretraining
 * sentences of its grammar: the masked LM's loss with academic-budget static masks, or for
 * ELECTRA the discriminator's replaced-token-detection loss on rows the generator corrupted once.
 * What `eval hessian` and the study's hessianTrace() both compute.
 */
export function checkpointHessianTrace(model: CheckpointEncoder, grammar: Grammar, sentences: SentenceBatch, o: CheckpointHessianOptions): HutchinsonResult {
  const options = { samples: o.samples, batchSize: o.batchSize, key: foldIn(key(o.seed), 2) };
  return model.electra
    ? discriminatorHessianTrace(model.electra, electraRtdPool(model.electra, pcfgTokenRows(grammar, model.vocab, sentences, o.seqLen), vocabInfo(model.vocab), foldIn(key(o.seed), 3)), options)
    : mlmHessianTrace(loadCheckpointMlm(model.dir).view, pcfgMlmPool(grammar, model.vocab, sentences, o.seqLen, BUDGET_MASKING, o.seed), options);
}
