import type { GeluForm } from '../../dsl/nn/activations.ts';
import type { EncoderConfig } from '../config.ts';
import { CheckpointConfigError, UnsupportedModelError } from './errors.ts';

/**
 * A Hugging Face BertConfig / RobertaConfig (config.json as transformers' save_pretrained writes
 * it) read as pretext's EncoderConfig. Absent fields take the transformers class defaults, as
 * transformers itself does; values pretext cannot compute faithfully are an UnsupportedModelError
 * naming the field and the value.
 */
export type HfFamily = 'bert' | 'roberta';

export interface HfModelConfig {
  readonly family: HfFamily;
  readonly encoder: EncoderConfig;
  /** HF pad_token_id. */
  readonly padTokenId: number;
  /**
   * Rows of HF's position table before pretext's position 0: RoBERTa numbers real tokens from
   * padding_idx + 1 (positions 2, 3, ... for pad_token_id 1), BERT from 0.
   */
  readonly positionOffset: number;
  /** tie_word_embeddings (transformers' default: true). */
  readonly tiedDecoder: boolean;
  readonly architectures: readonly string[];
}

/** transformers' BertConfig defaults (RobertaConfig inherits them, but for the ids below). */
const DEFAULTS = {
  vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072,
  hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 512,
  type_vocab_size: 2, initializer_range: 0.02, layer_norm_eps: 1e-12, pad_token_id: 0,
} as const;
const ROBERTA_DEFAULTS = { ...DEFAULTS, vocab_size: 50265, pad_token_id: 1 } as const;

/** HF hidden_act values that are pretext's two GELU forms (gelu_pytorch_tanh is the same tanh formula as gelu_new). */
const GELU_OF_ACT: Readonly<Record<string, GeluForm>> = { gelu: 'erf', gelu_new: 'tanh', gelu_pytorch_tanh: 'tanh' };

/** The hidden_act pretext writes for a GELU form. */
export const hfActOfGelu = (g: GeluForm): string => (g === 'tanh' ? 'gelu_new' : 'gelu');

/** Reads a transformers config.json (parsed) of a BERT or RoBERTa model; errors name `file` and the field. */
export function readHfModelConfig(config: unknown, file: string): HfModelConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new CheckpointConfigError(`${file}: not a JSON object`, { file });
  }
  const c = config as Record<string, unknown>;
  const modelType = c.model_type;
  if (modelType !== 'bert' && modelType !== 'roberta') {
    throw new UnsupportedModelError(
      `${file}: model_type ${JSON.stringify(modelType)} is not supported (pretext loads transformers BERT and RoBERTa checkpoints: model_type "bert" or "roberta")`,
      { file, field: 'model_type', value: modelType },
    );
  }
  const family: HfFamily = modelType;
  const defaults = family === 'roberta' ? ROBERTA_DEFAULTS : DEFAULTS;
  const bad = (field: string, want: string): never => {
    throw new CheckpointConfigError(`${file}: ${field} is ${JSON.stringify(c[field])}, expected ${want}`, { file, field, value: c[field] });
  };
  const unsupported = (field: string, why: string): never => {
    throw new UnsupportedModelError(`${file}: ${field} ${JSON.stringify(c[field])} is not supported: ${why}`, { file, field, value: c[field] });
  };
  const int = (field: keyof typeof DEFAULTS, min: number): number => {
    const v = c[field] ?? defaults[field];
    return typeof v === 'number' && Number.isInteger(v) && v >= min ? v : bad(field, `an integer >= ${min}`);
  };
  const real = (field: keyof typeof DEFAULTS, ok: (x: number) => boolean, want: string): number => {
    const v = c[field] ?? defaults[field];
    return typeof v === 'number' && ok(v) ? v : bad(field, want);
  };
  const act = c.hidden_act ?? defaults.hidden_act;
  const gelu = typeof act === 'string' ? GELU_OF_ACT[act] : undefined;
  if (gelu === undefined) unsupported('hidden_act', `pretext's encoder has GELU only ("gelu", "gelu_new", "gelu_pytorch_tanh")`);
  const positionType = c.position_embedding_type ?? 'absolute';
  if (positionType !== 'absolute') unsupported('position_embedding_type', 'pretext has absolute position embeddings only');
  if (c.is_decoder === true) unsupported('is_decoder', 'pretext encoders attend in both directions');
  if (c.add_cross_attention === true) unsupported('add_cross_attention', 'pretext encoders have no cross-attention');
  const hidden = int('hidden_size', 1);
  const heads = int('num_attention_heads', 1);
  if (hidden % heads !== 0) bad('num_attention_heads', `a divisor of hidden_size ${hidden}`);
  const padTokenId = int('pad_token_id', 0);
  const positionOffset = family === 'roberta' ? padTokenId + 1 : 0;
  const tableRows = int('max_position_embeddings', positionOffset + 1);
  const architectures = Array.isArray(c.architectures) ? c.architectures.filter((a): a is string => typeof a === 'string') : [];
  const encoder: EncoderConfig = {
    vocabSize: int('vocab_size', 1),
    hidden,
    layers: int('num_hidden_layers', 1),
    heads,
    ffn: int('intermediate_size', 1),
    maxPositions: tableRows - positionOffset,
    typeVocabSize: int('type_vocab_size', 1),
    layerNorm: 'post',
    dropout: real('hidden_dropout_prob', (x) => x >= 0 && x < 1, 'a probability in [0, 1)'),
    attentionDropout: real('attention_probs_dropout_prob', (x) => x >= 0 && x < 1, 'a probability in [0, 1)'),
    layerNormEps: real('layer_norm_eps', (x) => x > 0, 'a positive number'),
    gelu: gelu!,
    initStd: real('initializer_range', (x) => x >= 0, 'a non-negative number'),
  };
  return { family, encoder, padTokenId, positionOffset, tiedDecoder: c.tie_word_embeddings !== false, architectures };
}
