import type { Axes } from '../dsl/axes.ts';
import * as p from '../dsl/index.ts';
import type { KeyTensor } from '../dsl/random.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { EncoderConfig } from './config.ts';
import { layerNorm } from './encoder.ts';
import type { ClassifierHeadParams, EmbeddingParams, MlmHeadParams, TokenClassifierHeadParams } from './params.ts';

type T = Tensor<Axes>;

/** MLM logits over the vocabulary at every position, decoder tied to the word embeddings. */
export function mlmLogits(head: MlmHeadParams, embeddings: EmbeddingParams, hidden: T, config: EncoderConfig): T {
  const h = p.rename(p.dot(hidden, head.transform.w, 'hidden').add(head.transform.b) as T, { out: 'hidden' });
  const normed = layerNorm(p.gelu(h, config.gelu), head.ln, config.layerNormEps);
  return p.dot(normed, embeddings.word, 'hidden').add(head.bias) as T;
}

/**
 * Sequence classification logits ['batch', 'label'] from the first token, as Hugging Face's
 * BertForSequenceClassification: pooler (dense + tanh), dropout (when given: train mode), linear.
 */
export function classifierLogits(head: ClassifierHeadParams, hidden: T, dropout?: { readonly key: KeyTensor; readonly rate: number }): T {
  const first = p.squeeze(p.slice(hidden, 'seq', 0, 1), 'seq');
  const pooled = p.rename(p.dot(first, head.pooler.w, 'hidden').add(head.pooler.b).tanh() as T, { out: 'hidden' });
  const dropped = dropout && dropout.rate > 0 ? (p.dropout(dropout.key, pooled, dropout.rate) as T) : pooled;
  return p.dot(dropped, head.classifier.w, 'hidden').add(head.classifier.b) as T;
}

/** Per-token classification logits ['batch', 'seq', 'label']. */
export function tokenClassifierLogits(head: TokenClassifierHeadParams, hidden: T): T {
  return p.dot(hidden, head.classifier.w, 'hidden').add(head.classifier.b) as T;
}

export { type EncoderConfig };
