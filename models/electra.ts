import * as p from '../dsl/index.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { Concrete } from '../dsl/trace.ts';
import { type Key, splitKey } from '../prng/key.ts';
import { PretextError } from '../util/errors.ts';
import type { EncoderConfig } from './config.ts';
import { type DropoutContext, type EncoderInputs, type EncoderOutput, type Hidden, encode } from './encoder.ts';
import { mlmLogits } from './heads.ts';
import { Initializer, initLayer } from './init.ts';
import type { EmbeddingParams, EncoderParams, LayerNormParams, LayerParams, MlmHeadParams } from './params.ts';

/**
 * ELECTRA's generator/discriminator pair (HF ElectraForMaskedLM + ElectraForPreTraining, as the
 * lucidrains OpenWebText script builds them):
 *  - word, position and token-type embeddings are ONE set of tensors (`params.embeddings`), of
 *    width `embeddingSize`, read by both towers (the script's tie_weights);
 *  - each tower has its own embedding LayerNorm and, when its hidden size differs from
 *    embeddingSize, its own embedding→hidden projection (HF `embeddings_project`; neither is tied);
 *  - generator head: dense(hidden→embeddingSize) + GELU + LayerNorm, logits against the shared word
 *    embeddings plus a bias (official ELECTRA's tied output layer; whether lucidrains' re-assigned
 *    embeddings stay tied to the HF output layer is unverified, spec 4b);
 *  - discriminator head: 'electra' = dense(hidden→hidden) + GELU + dense(hidden→1) (HF
 *    ElectraDiscriminatorPredictions, what the script trains), or 'linear' = dense(hidden→1)
 *    (lucidrains' `discr_dim` adapter).
 */
export class ElectraConfigError extends PretextError {}

export type DiscriminatorHeadKind = 'electra' | 'linear';

export interface ElectraModelConfig {
  readonly discriminator: EncoderConfig;
  readonly generator: EncoderConfig;
  /** Width of the shared embedding tables (ELECTRA-Small: 128). */
  readonly embeddingSize: number;
  readonly discriminatorHead: DiscriminatorHeadKind;
}

export interface ElectraModelOptions {
  readonly discriminator: EncoderConfig;
  /** Generator width as a fraction of the discriminator's (official 0.25); heads and FFN scale with it. */
  readonly generatorSize?: number;
  /** Explicit generator fields, applied after scaling (e.g. the lucidrains small config's heads: 1). */
  readonly generator?: Partial<EncoderConfig>;
  /** Default: the discriminator's hidden size (official ELECTRA). */
  readonly embeddingSize?: number;
  readonly discriminatorHead?: DiscriminatorHeadKind;
}

const positiveInt = (v: number): boolean => Number.isInteger(v) && v > 0;

/**
 * The pair's configuration. The generator is the discriminator scaled by `generatorSize`:
 * hidden = round(s·H), heads = max(1, round(s·heads)), ffn = round(s·ffn) (official ELECTRA-Small:
 * 256/4/1024 → 64/1/256); vocabulary, positions and token types must match (shared tables).
 */
export function electraModelConfig(options: ElectraModelOptions): ElectraModelConfig {
  const d = options.discriminator;
  const s = options.generatorSize ?? 0.25;
  if (!(s > 0 && s <= 1)) throw new ElectraConfigError(`electraModelConfig: generatorSize must be in (0, 1], got ${s}`, { option: 'generatorSize', value: s });
  const hidden = Math.max(1, Math.round(s * d.hidden));
  const generator: EncoderConfig = {
    ...d,
    hidden,
    heads: Math.max(1, Math.round(s * d.heads)),
    ffn: Math.max(1, Math.round(s * d.ffn)),
    ...options.generator,
  };
  const config: ElectraModelConfig = {
    discriminator: d,
    generator,
    embeddingSize: options.embeddingSize ?? d.hidden,
    discriminatorHead: options.discriminatorHead ?? 'electra',
  };
  checkElectraModelConfig(config);
  return config;
}

/** Throws ElectraConfigError naming the field when the pair cannot share its embeddings or a size is invalid. */
export function checkElectraModelConfig(c: ElectraModelConfig): void {
  if (!positiveInt(c.embeddingSize)) throw new ElectraConfigError(`ELECTRA: embeddingSize must be a positive integer, got ${c.embeddingSize}`, { option: 'embeddingSize', value: c.embeddingSize });
  for (const field of ['vocabSize', 'maxPositions', 'typeVocabSize'] as const) {
    if (c.generator[field] !== c.discriminator[field]) {
      throw new ElectraConfigError(`ELECTRA: generator.${field} (${c.generator[field]}) must equal discriminator.${field} (${c.discriminator[field]}): the embeddings are shared`, {
        option: `generator.${field}`, value: c.generator[field],
      });
    }
  }
  for (const [tower, cfg] of [['generator', c.generator], ['discriminator', c.discriminator]] as const) {
    for (const field of ['hidden', 'heads', 'ffn', 'layers'] as const) {
      if (!positiveInt(cfg[field])) throw new ElectraConfigError(`ELECTRA: ${tower}.${field} must be a positive integer, got ${cfg[field]}`, { option: `${tower}.${field}`, value: cfg[field] });
    }
    if (cfg.hidden % cfg.heads !== 0) {
      throw new ElectraConfigError(`ELECTRA: ${tower}.hidden (${cfg.hidden}) is not divisible by ${tower}.heads (${cfg.heads})`, { option: `${tower}.heads`, value: cfg.heads });
    }
  }
  if (c.discriminatorHead !== 'electra' && c.discriminatorHead !== 'linear') {
    throw new ElectraConfigError(`ELECTRA: discriminatorHead must be 'electra' or 'linear', got ${String(c.discriminatorHead)}`, { option: 'discriminatorHead', value: c.discriminatorHead });
  }
}

/** The embedding tables both towers read (one tensor each in the parameter tree). */
export interface SharedEmbeddingParams {
  readonly word: Tensor<['vocab', 'hidden']>;
  readonly position: Tensor<['position', 'hidden']>;
  readonly tokenType?: Tensor<['type', 'hidden']>;
}

export interface DenseParams {
  readonly w: Tensor<['hidden', 'out']>;
  readonly b: Tensor<['out']>;
}

/** One tower's own parameters: embedding LayerNorm, optional projection, layers. */
export interface ElectraTowerParams {
  readonly embeddingLn: LayerNormParams;
  /** embeddingSize → hidden, present when they differ. */
  readonly projection?: DenseParams;
  readonly layers: readonly LayerParams[];
  /** Final LayerNorm of a pre-LN tower. */
  readonly finalLn?: LayerNormParams;
}

export interface DiscriminatorHeadParams {
  /** hidden → hidden + GELU (the 'electra' head only). */
  readonly dense?: DenseParams;
  readonly out: { readonly w: Tensor<['hidden']>; readonly b: Tensor<[]> };
}

export interface ElectraParams {
  readonly embeddings: SharedEmbeddingParams;
  readonly generator: ElectraTowerParams & { readonly mlmHead: MlmHeadParams };
  readonly discriminator: ElectraTowerParams & { readonly head: DiscriminatorHeadParams };
}

function initTower(init: Initializer, c: EncoderConfig, embeddingSize: number): Concrete<ElectraTowerParams> {
  const embeddingLn = init.layerNorm(embeddingSize);
  const projection = embeddingSize !== c.hidden
    ? { w: init.normal(['hidden', 'out'], [embeddingSize, c.hidden]), b: init.zeros(['out'], [c.hidden]) }
    : undefined;
  const layers = Array.from({ length: c.layers }, () => initLayer(init, c));
  const finalLn = c.layerNorm === 'pre' ? { finalLn: init.layerNorm(c.hidden) } : {};
  return { embeddingLn, ...(projection ? { projection } : {}), layers, ...finalLn };
}

/** Parameters of the pair from a key (BERT initialisation: N(0, initStd²) weights, zero biases, unit gains). */
export function initElectra(config: ElectraModelConfig, key: Key): Concrete<ElectraParams> {
  checkElectraModelConfig(config);
  const [kEmb, kGen, kGenHead, kDisc, kDiscHead] = splitKey(key, 5) as [Key, Key, Key, Key, Key];
  const { discriminator: dc, generator: gc, embeddingSize: e } = config;
  const emb = new Initializer(kEmb, dc.initStd);
  const embeddings = {
    word: emb.normal(['vocab', 'hidden'], [dc.vocabSize, e]),
    position: emb.normal(['position', 'hidden'], [dc.maxPositions, e]),
    ...(dc.typeVocabSize > 0 ? { tokenType: emb.normal(['type', 'hidden'], [dc.typeVocabSize, e]) } : {}),
  };
  // The generator head maps hidden → embeddingSize (HF ElectraGeneratorPredictions) before the tied logits.
  const genHead = new Initializer(kGenHead, gc.initStd);
  const mlmHead = {
    transform: { w: genHead.normal(['hidden', 'out'], [gc.hidden, e]), b: genHead.zeros(['out'], [e]) },
    ln: genHead.layerNorm(e),
    bias: genHead.zeros(['vocab'], [dc.vocabSize]),
  };
  const headInit = new Initializer(kDiscHead, dc.initStd);
  const head = {
    ...(config.discriminatorHead === 'electra' ? { dense: { w: headInit.normal(['hidden', 'out'], [dc.hidden, dc.hidden]), b: headInit.zeros(['out'], [dc.hidden]) } } : {}),
    out: { w: headInit.normal(['hidden'], [dc.hidden]), b: headInit.zeros([], []) },
  };
  return {
    embeddings,
    generator: { ...initTower(new Initializer(kGen, gc.initStd), gc, e), mlmHead },
    discriminator: { ...initTower(new Initializer(kDisc, dc.initStd), dc, e), head },
  };
}

/** The embedding parameters one tower sees: the shared tables with its own LayerNorm. */
export function towerEmbeddings(shared: SharedEmbeddingParams, tower: ElectraTowerParams): EmbeddingParams {
  return { word: shared.word, position: shared.position, ...(shared.tokenType ? { tokenType: shared.tokenType } : {}), ln: tower.embeddingLn };
}

const dense = (x: Hidden, d: DenseParams): Hidden => p.rename(p.dot(x, d.w, 'hidden').add(d.b), { out: 'hidden' });

/** One tower's architecture as a plain encoder's (embeddingSize set when the tower projects the shared tables). */
export function towerConfig(config: ElectraModelConfig, tower: 'generator' | 'discriminator'): EncoderConfig {
  const c = config[tower];
  return config.embeddingSize !== c.hidden ? { ...c, embeddingSize: config.embeddingSize } : c;
}

/** One tower as a plain encoder: the shared tables with its own LayerNorm, projection, layers and final LayerNorm. */
export function towerEncoder(shared: SharedEmbeddingParams, tower: ElectraTowerParams): EncoderParams {
  return {
    embeddings: towerEmbeddings(shared, tower),
    ...(tower.projection ? { embeddingProjection: tower.projection } : {}),
    layers: tower.layers,
    ...(tower.finalLn ? { finalLn: tower.finalLn } : {}),
  };
}

/**
 * One tower's encoder: shared embeddings + own LayerNorm (+ dropout in train mode), the projection
 * to the tower's width, then its layers (and the final LayerNorm of a pre-LN tower). `states[0]`
 * is the tensor fed to layer 1 (after the projection), so TACO-style g = h − e works on either tower.
 */
export function encodeTower(shared: SharedEmbeddingParams, tower: ElectraTowerParams, inputs: EncoderInputs, config: EncoderConfig, ctx?: DropoutContext): EncoderOutput {
  return encode(towerEncoder(shared, tower), inputs, config, ctx);
}

/** Generator MLM logits (decoder tied to the shared word embeddings). */
export function generatorLogits(params: ElectraParams, hidden: Hidden, config: ElectraModelConfig): Tensor<['batch', 'seq', 'vocab']> {
  return mlmLogits(params.generator.mlmHead, towerEmbeddings(params.embeddings, params.generator), hidden, config.generator);
}

/** Discriminator logits: one "replaced" logit per token. */
export function discriminatorLogits(head: DiscriminatorHeadParams, hidden: Hidden, config: ElectraModelConfig): Tensor<['batch', 'seq']> {
  const h = head.dense ? p.gelu(dense(hidden, head.dense), config.discriminator.gelu) : hidden;
  return p.dot(h, head.out.w, 'hidden').add(head.out.b);
}
