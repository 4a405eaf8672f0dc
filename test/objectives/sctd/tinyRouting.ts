import { HostTensor } from '../../../dsl/host.ts';
import { encoderConfig, type EncoderConfig } from '../../../models/config.ts';
import { initEncoder } from '../../../models/init.ts';
import { key } from '../../../prng/key.ts';

/** A tiny encoder config for float64 interpreter checks of the routed encoder. */
export function routingConfig(overrides: Partial<EncoderConfig> = {}): EncoderConfig {
  return encoderConfig({
    vocabSize: 12, hidden: 8, layers: 4, heads: 2, ffn: 16, maxPositions: 8, typeVocabSize: 0,
    dropout: 0.1, attentionDropout: 0.1, layerNormEps: 1e-5, initStd: 0.3, ...overrides,
  });
}

export const routingParams = (config: EncoderConfig, seed = 1) => initEncoder(config, key(seed));

/** Two rows of 7 tokens, the second padded after 5 (pad id 1); scores with ties. */
export function routingBatch() {
  const ids = [0, 5, 7, 3, 9, 4, 2, 0, 6, 8, 6, 2, 1, 1];
  const mask = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
  const scores = [1e4, 3, 2, 3, 1, 2, 1e4, 1e4, 5, 0.5, 5, 1e4, 1e4, 1e4];
  return {
    inputIds: new HostTensor(['batch', 'seq'], [2, 7], 'i32', ids),
    attentionMask: new HostTensor(['batch', 'seq'], [2, 7], 'bool', mask),
    scores: new HostTensor(['batch', 'seq'], [2, 7], 'f32', scores),
  };
}
