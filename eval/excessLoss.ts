import {
  ChartWorkspace, conditionalCrossEntropies, isDownstreamLength, ratioEstimate, sentenceAt, sentenceCount, terminalTokenIds,
  trueConditionals, type Grammar, type SentenceBatch,
} from '../corpora/pcfg/index.ts';
import type { Vocab } from '../corpora/tokenizer/index.ts';
import { EvalError } from './errors.ts';
import { type MaskedProbsOptions, maskedWordProbsOfRows } from './maskedConditionals.ts';
import type { HostMlmView } from './mlmView.ts';
import { singleMaskRows } from './singleMaskRows.ts';

/**
 * The single-mask loss of a model against the true conditionals, the paper's way (spec 5b5), in
 * nats per (sentence, position) pair. Standard errors are the ratio estimator's over sentences
 * (positions of one sentence are correlated); the excess's is computed on the paired
 * per-sentence differences, so it is much smaller than either loss's.
 */
export interface ExcessLossSummary {
  /** Mean of -sum_v p*(v) ln(q(v) + 1e-12). */
  readonly loss: number;
  /** Mean entropy of p* over the same positions. */
  readonly optimalLoss: number;
  /** loss - optimalLoss = E[KL(p* || q)] + the penalty for q's mass off the grammar's words (>= 0). */
  readonly excessLoss: number;
  readonly lossStdErr: number;
  readonly optimalLossStdErr: number;
  readonly excessLossStdErr: number;
  readonly sentences: number;
  readonly positions: number;
}

/** The scores over all sentences, and over the downstream subset the study's loss script reads. */
export interface ExcessLossResult extends ExcessLossSummary {
  /**
   * The same over the sentences with 4 < length < 32 only: calculate_loss.py scores the rows of
   * generate_downstream.py's CSV, whose sentences pass that filter.
   */
  readonly downstream: ExcessLossSummary;
  /** Positions left out: impossible contexts (p* undefined) or a non-finite model loss (the script skips infinite values). */
  readonly skippedPositions: number;
}

/**
 * Scores given model conditionals: q holds, for every sentence (in order) and every position of
 * it, the model's probabilities of the grammar's words in the grammar's terminal order
 * (sum of lengths x |terminals|, row-major), softmax over the model's full vocabulary restricted
 * to those words and NOT renormalised.
 */
export function scoreConditionals(grammar: Grammar, sentences: SentenceBatch, q: Float32Array | Float64Array): ExcessLossResult {
  const T = grammar.terminals.length;
  const S = sentenceCount(sentences);
  const total = sentences.offsets[S]! - sentences.offsets[0]!;
  if (q.length !== total * T) {
    throw new EvalError(`q has ${q.length} values; ${S} sentences of ${total} positions need ${total} x ${T} = ${total * T}`, { values: q.length, positions: total, terminals: T });
  }
  const ws = new ChartWorkspace(grammar.nonterminals.length);
  const lossSums = new Float64Array(S);
  const entropySums = new Float64Array(S);
  const diffSums = new Float64Array(S);
  const counts = new Float64Array(S);
  let skipped = 0;
  let row = 0;
  for (let s = 0; s < S; s++) {
    const sentence = sentenceAt(sentences, s);
    const n = sentence.length;
    const { pStar, entropy } = trueConditionals(grammar, sentence, ws);
    const losses = conditionalCrossEntropies(pStar, q.subarray(row * T, (row + n) * T), T);
    for (let i = 0; i < n; i++) {
      const l = losses[i]!;
      const h = entropy[i]!;
      if (!Number.isFinite(l) || !Number.isFinite(h)) {
        skipped++;
        continue;
      }
      lossSums[s] += l;
      entropySums[s] += h;
      diffSums[s] += l - h;
      counts[s]++;
    }
    row += n;
  }
  const all = Array.from({ length: S }, (_, s) => s);
  const downstream = all.filter((s) => isDownstreamLength(sentences.offsets[s + 1]! - sentences.offsets[s]!));
  const summary = (picked: readonly number[]): ExcessLossSummary => {
    const pick = (sums: Float64Array) => picked.map((s) => sums[s]!);
    const n = pick(counts);
    const loss = ratioEstimate(pick(lossSums), n);
    const optimal = ratioEstimate(pick(entropySums), n);
    const excess = ratioEstimate(pick(diffSums), n);
    return {
      loss: loss.mean,
      optimalLoss: optimal.mean,
      excessLoss: excess.mean,
      lossStdErr: loss.stdErr,
      optimalLossStdErr: optimal.stdErr,
      excessLossStdErr: excess.stdErr,
      sentences: picked.length,
      positions: n.reduce((a, c) => a + c, 0),
    };
  };
  return { ...summary(all), downstream: summary(downstream), skippedPositions: skipped };
}

/** Token ids of the grammar's words (terminal order); a word that is not one token is a GrammarVocabError naming it. */
export { terminalTokenIds };

/** Sentences of terminal ids mapped to token ids. */
export function sentencesToTokens(sentences: SentenceBatch, tokenOfTerminal: Int32Array): SentenceBatch {
  return { tokens: Int32Array.from(sentences.tokens, (t) => tokenOfTerminal[t]!), offsets: sentences.offsets };
}

export interface ExcessLossOptions extends MaskedProbsOptions {
  readonly grammar: Grammar;
  readonly vocab: Vocab;
  /** Validation sentences (terminal ids). */
  readonly sentences: SentenceBatch;
  /** Padded length of the inputs (default 20, the study's loss script). */
  readonly seqLen?: number;
}

/**
 * The paper's single-mask loss of a masked LM (any objective's, via mlmViewOf): every
 * (sentence, position) pair becomes one `[CLS] w.. [SEP]` row with that word masked, all rows go
 * through one compiled program in batches, and q is scored against p* from inside/outside.
 */
export function excessLoss(view: HostMlmView, options: ExcessLossOptions): ExcessLossResult {
  const { grammar, vocab, sentences } = options;
  const wordIds = terminalTokenIds(grammar, vocab);
  const rows = singleMaskRows(sentencesToTokens(sentences, wordIds), vocab.specials, options.seqLen ?? 20);
  const q = maskedWordProbsOfRows(view, rows, wordIds, options);
  return scoreConditionals(grammar, sentences, q);
}
