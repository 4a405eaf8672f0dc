import type { Tensor } from '../dsl/tensor.ts';

/**
 * Parameter trees of the models, with named axes. Dense weights are [in, out] (y = x W + b).
 * Host (concrete) versions are `Concrete<...>` of these types (every Tensor becomes a HostTensor).
 */
export interface LayerNormParams {
  readonly gain: Tensor<['hidden']>;
  readonly bias: Tensor<['hidden']>;
}
export interface EmbeddingParams {
  readonly word: Tensor<['vocab', 'hidden']>;
  readonly position: Tensor<['position', 'hidden']>;
  /** Present when the config has token types. */
  readonly tokenType?: Tensor<['type', 'hidden']>;
  readonly ln: LayerNormParams;
}
export interface SelfAttentionParams {
  readonly wq: Tensor<['hidden', 'qkv']>;
  readonly bq: Tensor<['qkv']>;
  readonly wk: Tensor<['hidden', 'qkv']>;
  readonly bk: Tensor<['qkv']>;
  readonly wv: Tensor<['hidden', 'qkv']>;
  readonly bv: Tensor<['qkv']>;
  readonly wo: Tensor<['qkv', 'hidden']>;
  readonly bo: Tensor<['hidden']>;
}
export interface LayerParams {
  readonly attention: SelfAttentionParams;
  readonly attentionLn: LayerNormParams;
  readonly ffnIn: { readonly w: Tensor<['hidden', 'ffn']>; readonly b: Tensor<['ffn']> };
  readonly ffnOut: { readonly w: Tensor<['ffn', 'hidden']>; readonly b: Tensor<['hidden']> };
  readonly ffnLn: LayerNormParams;
}
export interface EncoderParams {
  readonly embeddings: EmbeddingParams;
  /** Embedding width -> hidden, when the config's embeddingSize differs from hidden (ELECTRA). */
  readonly embeddingProjection?: { readonly w: Tensor<['hidden', 'out']>; readonly b: Tensor<['out']> };
  readonly layers: readonly LayerParams[];
  /** Final LayerNorm of a pre-LN encoder. */
  readonly finalLn?: LayerNormParams;
}
/** MLM head: dense + GELU + LayerNorm, then logits tied to the word embeddings, plus a bias. */
export interface MlmHeadParams {
  readonly transform: { readonly w: Tensor<['hidden', 'out']>; readonly b: Tensor<['out']> };
  readonly ln: LayerNormParams;
  readonly bias: Tensor<['vocab']>;
}
export interface MlmModelParams {
  readonly encoder: EncoderParams;
  readonly mlmHead: MlmHeadParams;
}
/** Sequence classification head on the first token: dense + tanh (pooler), then a linear classifier. */
export interface ClassifierHeadParams {
  readonly pooler: { readonly w: Tensor<['hidden', 'out']>; readonly b: Tensor<['out']> };
  readonly classifier: { readonly w: Tensor<['hidden', 'label']>; readonly b: Tensor<['label']> };
}
/** Per-token classification head: a linear classifier on every position. */
export interface TokenClassifierHeadParams {
  readonly classifier: { readonly w: Tensor<['hidden', 'label']>; readonly b: Tensor<['label']> };
}
