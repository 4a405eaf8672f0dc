import type { Axes } from '../dsl/axes.ts';
import { HostTensor, hostTensor } from '../dsl/host.ts';
import type { Concrete } from '../dsl/trace.ts';
import { flatten } from '../dsl/tree.ts';
import { type Key, foldIn } from '../prng/key.ts';
import { normal } from '../prng/samplers.ts';
import { type EncoderConfig, embeddingWidth } from './config.ts';
import type { ClassifierHeadParams, EncoderParams, LayerNormParams, LayerParams, MlmHeadParams } from './params.ts';

/**
 * Deterministic initialisation from a key (BERT's scheme): weights and embeddings N(0, initStd²),
 * biases 0, LayerNorm gains 1. Every tensor draws from its own folded key, so adding a tensor
 * elsewhere does not change the others.
 */
export class Initializer {
  private next = 0;
  constructor(
    private readonly key: Key,
    private readonly std: number,
  ) {}

  normal<const A extends Axes>(axes: readonly [...A], shape: readonly number[]): HostTensor<A> {
    const n = shape.reduce((a, b) => a * b, 1);
    const z = normal(foldIn(this.key, this.next++), n);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = z[i]! * this.std;
    return hostTensor(data, axes, shape);
  }
  zeros<const A extends Axes>(axes: readonly [...A], shape: readonly number[]): HostTensor<A> {
    this.next++;
    return hostTensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), axes, shape);
  }
  ones<const A extends Axes>(axes: readonly [...A], shape: readonly number[]): HostTensor<A> {
    this.next++;
    return hostTensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1), axes, shape);
  }
  layerNorm(d: number): Concrete<LayerNormParams> {
    return { gain: this.ones(['hidden'], [d]), bias: this.zeros(['hidden'], [d]) };
  }
}

export function initLayer(init: Initializer, c: EncoderConfig): Concrete<LayerParams> {
  const d = c.hidden;
  return {
    attention: {
      wq: init.normal(['hidden', 'qkv'], [d, d]), bq: init.zeros(['qkv'], [d]),
      wk: init.normal(['hidden', 'qkv'], [d, d]), bk: init.zeros(['qkv'], [d]),
      wv: init.normal(['hidden', 'qkv'], [d, d]), bv: init.zeros(['qkv'], [d]),
      wo: init.normal(['qkv', 'hidden'], [d, d]), bo: init.zeros(['hidden'], [d]),
    },
    attentionLn: init.layerNorm(d),
    ffnIn: { w: init.normal(['hidden', 'ffn'], [d, c.ffn]), b: init.zeros(['ffn'], [c.ffn]) },
    ffnOut: { w: init.normal(['ffn', 'hidden'], [c.ffn, d]), b: init.zeros(['hidden'], [d]) },
    ffnLn: init.layerNorm(d),
  };
}

/** Encoder parameters for `config`, from a key. */
export function initEncoder(config: EncoderConfig, key: Key): Concrete<EncoderParams> {
  const init = new Initializer(key, config.initStd);
  const d = config.hidden;
  const e = embeddingWidth(config);
  const embeddings = {
    word: init.normal(['vocab', 'hidden'], [config.vocabSize, e]),
    position: init.normal(['position', 'hidden'], [config.maxPositions, e]),
    ...(config.typeVocabSize > 0 ? { tokenType: init.normal(['type', 'hidden'], [config.typeVocabSize, e]) } : {}),
    ln: init.layerNorm(e),
  };
  const layers = Array.from({ length: config.layers }, () => initLayer(init, config));
  const embeddingProjection = e !== d ? { embeddingProjection: { w: init.normal(['hidden', 'out'], [e, d]), b: init.zeros(['out'], [d]) } } : {};
  return { embeddings, ...embeddingProjection, layers, ...(config.layerNorm === 'pre' ? { finalLn: init.layerNorm(d) } : {}) };
}

export function initMlmHead(config: EncoderConfig, key: Key): Concrete<MlmHeadParams> {
  const init = new Initializer(key, config.initStd);
  const d = config.hidden;
  const e = embeddingWidth(config);
  return {
    transform: { w: init.normal(['hidden', 'out'], [d, e]), b: init.zeros(['out'], [e]) },
    ln: init.layerNorm(e),
    bias: init.zeros(['vocab'], [config.vocabSize]),
  };
}

/**
 * A sequence-classification head (pooler + classifier) for `labels` outputs, initialised as
 * Hugging Face's BertForSequenceClassification does for heads a checkpoint lacks: weights
 * N(0, initStd²), biases 0.
 */
export function initClassifierHead(config: EncoderConfig, labels: number, key: Key): Concrete<ClassifierHeadParams> {
  const init = new Initializer(key, config.initStd);
  const d = config.hidden;
  return {
    pooler: { w: init.normal(['hidden', 'out'], [d, d]), b: init.zeros(['out'], [d]) },
    classifier: { w: init.normal(['hidden', 'label'], [d, labels]), b: init.zeros(['label'], [labels]) },
  };
}

/** Number of scalars in a parameter tree. */
export function parameterCount(params: unknown): number {
  return flatten<HostTensor>(params, (x) => x instanceof HostTensor).leaves.reduce((s, t) => s + t.data.length, 0);
}
