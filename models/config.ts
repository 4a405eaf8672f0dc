import * as t from 'io-ts';
import type { GeluForm } from '../dsl/nn/activations.ts';

/** Architecture of a BERT/RoBERTa-style encoder. */
export interface EncoderConfig {
  readonly vocabSize: number;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly ffn: number;
  readonly maxPositions: number;
  /** Segment (token type) embeddings; 0 for none (RoBERTa-style single segment). */
  readonly typeVocabSize: number;
  /** 'post': x = LN(x + f(x)) (BERT); 'pre': x = x + f(LN(x)) with a final LN (academic-budget BERT). */
  readonly layerNorm: 'post' | 'pre';
  readonly dropout: number;
  readonly attentionDropout: number;
  readonly layerNormEps: number;
  readonly gelu: GeluForm;
  /** Standard deviation of the normal initialiser of weights and embeddings. */
  readonly initStd: number;
  /**
   * Width of the embedding tables when it differs from `hidden` (ELECTRA): embeddings are then
   * projected to `hidden` before layer 1, and the MLM head maps back to this width (tied decoder).
   */
  readonly embeddingSize?: number;
}

/** Width of the embedding tables. */
export const embeddingWidth = (c: EncoderConfig): number => c.embeddingSize ?? c.hidden;

export const EncoderConfigCodec: t.Type<EncoderConfig> = t.readonly(
  t.type({
    vocabSize: t.number,
    hidden: t.number,
    layers: t.number,
    heads: t.number,
    ffn: t.number,
    maxPositions: t.number,
    typeVocabSize: t.number,
    layerNorm: t.union([t.literal('post'), t.literal('pre')]),
    dropout: t.number,
    attentionDropout: t.number,
    layerNormEps: t.number,
    gelu: t.union([t.literal('erf'), t.literal('tanh')]),
    initStd: t.number,
    // optional: absent when the embeddings are as wide as the hidden states
    embeddingSize: t.union([t.number, t.undefined]),
  }),
) as unknown as t.Type<EncoderConfig>;

/** BERT-base defaults scaled by the given fields. */
export function encoderConfig(overrides: Partial<EncoderConfig> & Pick<EncoderConfig, 'vocabSize'>): EncoderConfig {
  const hidden = overrides.hidden ?? 768;
  return {
    hidden,
    layers: 12,
    heads: 12,
    ffn: 4 * hidden,
    maxPositions: 512,
    typeVocabSize: 2,
    layerNorm: 'post',
    dropout: 0.1,
    attentionDropout: 0.1,
    layerNormEps: 1e-12,
    gelu: 'erf',
    initStd: 0.02,
    ...overrides,
  };
}
