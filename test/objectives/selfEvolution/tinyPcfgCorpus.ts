import { completeBlockBuilder, collectBatch, type SequenceBatch } from '../../../corpora/sequences/index.ts';
import { generateGrammar, sampleSentences, sentenceAt, sentenceCount } from '../../../corpora/pcfg/index.ts';
import { buildWordLevelVocab } from '../../../corpora/tokenizer/index.ts';
import { encoderConfig, type EncoderConfig } from '../../../models/config.ts';
import { type TokenBatch, type VocabInfo, vocabInfo } from '../../../objectives/objective.ts';
import { key } from '../../../prng/key.ts';

/** A small PCFG corpus in fairseq "complete" blocks ([CLS] sentences [SEP].. padded), with block ids. */
export interface TinyCorpus {
  readonly vocab: VocabInfo;
  readonly seqLen: number;
  readonly all: SequenceBatch;
  /** Training batches (rows [0, rows - validationRows)) and validation batches (the rest). */
  readonly train: readonly TokenBatch[];
  readonly validation: readonly TokenBatch[];
}

function rowsOf(b: SequenceBatch, r0: number, r1: number): TokenBatch {
  const T = b.seqLen;
  return { inputIds: b.inputIds.slice(r0 * T, r1 * T), attentionMask: b.attentionMask.slice(r0 * T, r1 * T), rows: r1 - r0, seqLen: T, blockIds: b.blockIds.slice(r0, r1) };
}

export function tinyPcfgCorpus(options: { sentences?: number; seqLen?: number; batchRows?: number; validationRows?: number; seed?: number } = {}): TinyCorpus {
  const seed = options.seed ?? 1;
  const g = generateGrammar(key(seed));
  const v = buildWordLevelVocab(g.terminals);
  const s = sampleSentences(g, key(seed + 1), options.sentences ?? 400, { maxLength: 14 });
  const texts = Array.from({ length: sentenceCount(s) }, (_, i) => Int32Array.from(sentenceAt(s, i), (t) => v.idOf(g.terminals[t]!)!));
  const seqLen = options.seqLen ?? 32;
  const all = collectBatch(completeBlockBuilder({ seqLen, specials: v.specials }), texts, seqLen, v.specials.pad);
  const B = options.batchRows ?? 8;
  const nVal = options.validationRows ?? 16;
  const nTrain = Math.floor((all.rows - nVal) / B) * B;
  const train: TokenBatch[] = [];
  for (let r = 0; r < nTrain; r += B) train.push(rowsOf(all, r, r + B));
  const validation = [rowsOf(all, all.rows - nVal, all.rows)];
  return { vocab: vocabInfo(v), seqLen, all, train, validation };
}

/** A tiny RoBERTa-style encoder for the corpus. */
export function tinyEncoder(vocab: VocabInfo, seqLen: number, overrides: Partial<EncoderConfig> = {}): EncoderConfig {
  return encoderConfig({
    vocabSize: vocab.size, hidden: 32, layers: 2, heads: 2, ffn: 64, maxPositions: seqLen, typeVocabSize: 0,
    dropout: 0.1, attentionDropout: 0.1, layerNormEps: 1e-5, ...overrides,
  });
}

/** AdamW settings of the quick training tests. */
export const QUICK_ADAMW = { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.01 } as const;
