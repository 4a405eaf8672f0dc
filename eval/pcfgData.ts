import { ChartWorkspace, sentenceAt, sentenceCount, taskLabel, type Grammar, type SentenceBatch, type TaskName } from '../corpora/pcfg/index.ts';
import type { Vocab } from '../corpora/tokenizer/index.ts';
import { HostTensor } from '../dsl/host.ts';
import { type MlmMasking, maskTokens } from '../objectives/mlm.ts';
import { type TokenBatch, vocabInfo } from '../objectives/objective.ts';
import { key as rootKey } from '../prng/key.ts';
import { sentencesToTokens, terminalTokenIds } from './excessLoss.ts';
import type { MlmPool } from './hessianTrace.ts';
import type { LabelledRows } from '../finetune/labelledRows.ts';
import { probeData } from './linearProbe.ts';

/** A downstream task of the PCFG study as probe data: `[CLS] w.. [SEP]` rows and task A/B/C labels (spec 5b4). */
export function pcfgProbeData(grammar: Grammar, vocab: Vocab, task: TaskName, sentences: SentenceBatch, seqLen = 20): LabelledRows {
  const ws = new ChartWorkspace(grammar.nonterminals.length);
  const labels = Int32Array.from({ length: sentenceCount(sentences) }, (_, s) => taskLabel(grammar, sentenceAt(sentences, s), task, ws).label);
  return probeData(sentencesToTokens(sentences, terminalTokenIds(grammar, vocab)), labels, vocab.specials, seqLen);
}

/** Academic-budget BERT's static masks (spec 5b3): 15%, at most 5 predictions, 80/10/10. */
export const BUDGET_MASKING: MlmMasking = { kind: 'budget', prob: 0.15, maxPredictions: 5, dupFactor: 5 };

/**
 * Pretraining rows of PCFG sentences with fixed masks, for the Hessian trace (spec 5b6): one
 * `[CLS] w.. [SEP]` row per sentence padded to seqLen (longer sentences are truncated), masked by
 * `masking` (default BUDGET_MASKING, static copy 0 of seed `maskSeed`).
 */
export function pcfgMlmPool(grammar: Grammar, vocab: Vocab, sentences: SentenceBatch, seqLen = 32, masking: MlmMasking = BUDGET_MASKING, maskSeed = 0): MlmPool {
  const tokens = pcfgTokenRows(grammar, vocab, sentences, seqLen);
  const m = masking.kind === 'budget' ? { ...masking, staticSeed: masking.staticSeed ?? maskSeed } : masking;
  const masked = maskTokens(tokens, rootKey(maskSeed), m, vocabInfo(vocab), 0);
  const t = (data: Int32Array | Uint8Array, dtype: 'i32' | 'bool') => new HostTensor(['batch', 'seq'], [tokens.rows, seqLen], dtype, data);
  return { inputIds: t(masked.inputIds, 'i32'), attentionMask: t(tokens.attentionMask, 'bool'), labels: t(masked.labels, 'i32') };
}

/** PCFG sentences as pretraining rows: `[CLS] w.. [SEP]` padded to seqLen (longer ones truncated), block id = sentence index. */
export function pcfgTokenRows(grammar: Grammar, vocab: Vocab, sentences: SentenceBatch, seqLen: number): TokenBatch {
  const rows = probeData(sentencesToTokens(sentences, terminalTokenIds(grammar, vocab)), new Int32Array(sentenceCount(sentences)), vocab.specials, seqLen);
  return { inputIds: rows.inputIds, attentionMask: rows.attentionMask, rows: rows.rows, seqLen, blockIds: Int32Array.from({ length: rows.rows }, (_, i) => i) };
}
