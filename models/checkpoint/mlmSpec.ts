import { TensorSpec, spec } from '../../dsl/host.ts';
import type { EncoderConfig } from '../config.ts';

/**
 * The shapes of an MLM model's parameters ({ encoder, mlmHead }, as initEncoder/initMlmHead make
 * them) as TensorSpecs: what loadInto/loadCheckpoint check a stored model against, without
 * drawing initial values.
 */
export function mlmModelSpec(c: EncoderConfig) {
  const d = c.hidden;
  const e = c.embeddingSize ?? d;
  const ln = (w = d) => ({ gain: spec(['hidden'], [w]), bias: spec(['hidden'], [w]) });
  const layer = () => ({
    attention: {
      wq: spec(['hidden', 'qkv'], [d, d]), bq: spec(['qkv'], [d]),
      wk: spec(['hidden', 'qkv'], [d, d]), bk: spec(['qkv'], [d]),
      wv: spec(['hidden', 'qkv'], [d, d]), bv: spec(['qkv'], [d]),
      wo: spec(['qkv', 'hidden'], [d, d]), bo: spec(['hidden'], [d]),
    },
    attentionLn: ln(),
    ffnIn: { w: spec(['hidden', 'ffn'], [d, c.ffn]), b: spec(['ffn'], [c.ffn]) },
    ffnOut: { w: spec(['ffn', 'hidden'], [c.ffn, d]), b: spec(['hidden'], [d]) },
    ffnLn: ln(),
  });
  const encoder = {
    embeddings: {
      word: spec(['vocab', 'hidden'], [c.vocabSize, e]),
      position: spec(['position', 'hidden'], [c.maxPositions, e]),
      ...(c.typeVocabSize > 0 ? { tokenType: spec(['type', 'hidden'], [c.typeVocabSize, e]) } : {}),
      ln: ln(e),
    },
    ...(e !== d ? { embeddingProjection: { w: spec(['hidden', 'out'], [e, d]), b: spec(['out'], [d]) } } : {}),
    layers: Array.from({ length: c.layers }, layer),
    ...(c.layerNorm === 'pre' ? { finalLn: ln() } : {}),
  };
  const mlmHead = {
    transform: { w: spec(['hidden', 'out'], [d, e]), b: spec(['out'], [e]) },
    ln: ln(e),
    bias: spec(['vocab'], [c.vocabSize]),
  };
  return { encoder, mlmHead };
}

export type MlmModelSpec = ReturnType<typeof mlmModelSpec>;
export { TensorSpec };
