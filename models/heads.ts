import * as p from '../dsl/index.ts';
import type { KeyTensor } from '../dsl/random.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { EncoderConfig } from './config.ts';
import { type Hidden, layerNorm } from './encoder.ts';
import type { ClassifierHeadParams, EmbeddingParams, MlmHeadParams, TokenClassifierHeadParams } from './params.ts';

/** MLM logits over the vocabulary at every position, decoder tied to the word embeddings. */
export function mlmLogits(head: MlmHeadParams, embeddings: EmbeddingParams, hidden: Hidden, config: EncoderConfig): Tensor<['batch', 'seq', 'vocab']> {
  const h = p.rename(p.dot(hidden, head.transform.w, 'hidden').add(head.transform.b), { out: 'hidden' });
  const normed = layerNorm(p.gelu(h, config.gelu), head.ln, config.layerNormEps);
  return p.dot(normed, embeddings.word, 'hidden').add(head.bias);
}

/**
 * Sequence classification logits from the first token, as Hugging Face's
 * BertForSequenceClassification: pooler (dense + tanh), dropout (when given: train mode), linear.
 */
export function classifierLogits(head: ClassifierHeadParams, hidden: Hidden, dropout?: { readonly key: KeyTensor; readonly rate: number }): Tensor<['batch', 'label']> {
  const first = p.squeeze(p.slice(hidden, 'seq', 0, 1), 'seq');
  const pooled = p.rename(p.dot(first, head.pooler.w, 'hidden').add(head.pooler.b).tanh(), { out: 'hidden' });
  const dropped = dropout && dropout.rate > 0 ? p.dropout(dropout.key, pooled, dropout.rate) : pooled;
  return p.dot(dropped, head.classifier.w, 'hidden').add(head.classifier.b);
}

/** Per-token classification logits. */
export function tokenClassifierLogits(head: TokenClassifierHeadParams, hidden: Hidden): Tensor<['batch', 'seq', 'label']> {
  return p.dot(hidden, head.classifier.w, 'hidden').add(head.classifier.b);
}

export { type EncoderConfig };
