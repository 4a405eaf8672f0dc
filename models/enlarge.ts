import type { Axes } from '../dsl/axes.ts';
import { HostTensor } from '../dsl/host.ts';
import type { Concrete } from '../dsl/trace.ts';
import { PretextError } from '../util/errors.ts';
import type { EncoderConfig } from './config.ts';
import type { EncoderParams, LayerNormParams, LayerParams, MlmHeadParams, MlmModelParams } from './params.ts';

/** The enlargement asked for is not function-preserving (or not well-formed). */
export class EnlargeError extends PretextError {}

/**
 * How the embeddings are scaled (spec 5b8):
 *  - 'spec': the study's mapping. Embedding tables become [E, ..., E]/r, so the embedding
 *    LayerNorm sees tile(e)/r; LayerNorm is scale-invariant except for eps, whose effect becomes
 *    r²·eps (exact for eps -> 0; with BERT's 1e-12 the difference is far below f32 precision).
 *  - 'exact': tables become [E, ..., E] (no 1/r), and the MLM head's LayerNorm gain and bias are
 *    divided by r instead, which keeps the tied decoder's logits unchanged. Every LayerNorm then
 *    sees exactly tiled inputs, so the function is preserved for any eps.
 */
export type EmbeddingScaling = 'spec' | 'exact';

export interface EnlargeOptions {
  /** Width factor r (integer >= 1): hidden r·d, r·h heads of the same size, FFN r·ffn. */
  readonly factor: number;
  /**
   * Depth of the large model (default: the same). Extra layers are all zeros, which is the
   * identity only in a pre-LN encoder (a zero LayerNorm gain collapses a post-LN residual stream).
   */
  readonly layers?: number;
  readonly scaling?: EmbeddingScaling;
}

type Host = HostTensor;

function f32(t: Host): Float32Array {
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
}

/** A 1-D tensor repeated r times (LayerNorm gains and biases, dense biases), optionally scaled. */
function tile<A extends Axes>(t: HostTensor<A>, r: number, scale = 1): HostTensor<A> {
  const src = f32(t);
  const out = new Float32Array(src.length * r);
  for (let c = 0; c < r; c++) for (let i = 0; i < src.length; i++) out[c * src.length + i] = src[i]! * scale;
  return new HostTensor(t.axes, [src.length * r], 'f32', out);
}

/** A [rows, d] table -> [rows, r·d]: r copies side by side, times `scale`. */
function tileColumns<A extends Axes>(t: HostTensor<A>, r: number, scale: number): HostTensor<A> {
  const [rows, d] = t.shape as [number, number];
  const src = f32(t);
  const out = new Float32Array(rows * d * r);
  for (let i = 0; i < rows; i++) for (let c = 0; c < r; c++) for (let j = 0; j < d; j++) out[(i * r + c) * d + j] = src[i * d + j]! * scale;
  return new HostTensor(t.axes, [rows, d * r], 'f32', out);
}

/** A dense weight [in, out] -> [r·in, r·out], an r x r block matrix with every block W/r. */
function blocks<A extends Axes>(t: HostTensor<A>, r: number): HostTensor<A> {
  const [m, n] = t.shape as [number, number];
  const src = f32(t);
  const out = new Float32Array(m * n * r * r);
  const N = n * r;
  for (let bi = 0; bi < r; bi++) {
    for (let i = 0; i < m; i++) {
      const row = (bi * m + i) * N;
      for (let bj = 0; bj < r; bj++) for (let j = 0; j < n; j++) out[row + bj * n + j] = src[i * n + j]! / r;
    }
  }
  return new HostTensor(t.axes, [m * r, n * r], 'f32', out);
}

const zerosLike = <A extends Axes>(t: HostTensor<A>, shape: readonly number[]): HostTensor<A> => new HostTensor(t.axes, shape, 'f32', new Float32Array(shape.reduce((a, b) => a * b, 1)));

const lnTiled = (ln: Concrete<LayerNormParams>, r: number, scale = 1): Concrete<LayerNormParams> => ({ gain: tile(ln.gain, r, scale), bias: tile(ln.bias, r, scale) });

function enlargeLayer(lp: Concrete<LayerParams>, r: number): Concrete<LayerParams> {
  const a = lp.attention;
  return {
    attention: {
      wq: blocks(a.wq, r), bq: tile(a.bq, r),
      wk: blocks(a.wk, r), bk: tile(a.bk, r),
      wv: blocks(a.wv, r), bv: tile(a.bv, r),
      wo: blocks(a.wo, r), bo: tile(a.bo, r),
    },
    attentionLn: lnTiled(lp.attentionLn, r),
    ffnIn: { w: blocks(lp.ffnIn.w, r), b: tile(lp.ffnIn.b, r) },
    ffnOut: { w: blocks(lp.ffnOut.w, r), b: tile(lp.ffnOut.b, r) },
    ffnLn: lnTiled(lp.ffnLn, r),
  };
}

/** A layer of the large model's shapes, all zeros (the identity in a pre-LN encoder). */
function zeroLayer(like: Concrete<LayerParams>): Concrete<LayerParams> {
  const z = <A extends Axes>(t: HostTensor<A>) => zerosLike(t, t.shape);
  const a = like.attention;
  return {
    attention: { wq: z(a.wq), bq: z(a.bq), wk: z(a.wk), bk: z(a.bk), wv: z(a.wv), bv: z(a.bv), wo: z(a.wo), bo: z(a.bo) },
    attentionLn: { gain: z(like.attentionLn.gain), bias: z(like.attentionLn.bias) },
    ffnIn: { w: z(like.ffnIn.w), b: z(like.ffnIn.b) },
    ffnOut: { w: z(like.ffnOut.w), b: z(like.ffnOut.b) },
    ffnLn: { gain: z(like.ffnLn.gain), bias: z(like.ffnLn.bias) },
  };
}

/** The large model's configuration: r times wider, r·h heads of the same size, optionally deeper. */
export function enlargeConfig(config: EncoderConfig, options: EnlargeOptions): EncoderConfig {
  const r = options.factor;
  if (!Number.isInteger(r) || r < 1) throw new EnlargeError(`enlarge: factor must be an integer >= 1, got ${r}`, { field: 'factor', value: r });
  const layers = options.layers ?? config.layers;
  if (!Number.isInteger(layers) || layers < config.layers) {
    throw new EnlargeError(`enlarge: layers must be an integer >= the small model's ${config.layers}, got ${layers}`, { field: 'layers', value: layers });
  }
  if (layers > config.layers && config.layerNorm !== 'pre') {
    throw new EnlargeError(`enlarge: extra zero layers preserve the function only in a pre-LN encoder (this one is ${config.layerNorm}-LN)`, {
      field: 'layers', value: layers,
    });
  }
  return { ...config, hidden: config.hidden * r, heads: config.heads * r, ffn: config.ffn * r, layers };
}

/**
 * Embeds an MLM model in one r times wider (spec 5b8, `enlarge.py`'s semantics): every hidden
 * state of the large model is the small model's state tiled r times (times 1/r after the
 * embedding sum in 'spec' scaling), and the logits are the small model's. Mapping (pretext
 * weights are [in, out], the same blocks as the spec's [out, in]):
 *  - word/position/token-type tables E -> [E, ..., E]/r ('spec') or [E, ..., E] ('exact');
 *  - LayerNorm gains and biases, dense biases -> tiled r times;
 *  - every dense weight W (Q, K, V, attention output, both FFN layers, the MLM transform)
 *    -> an r x r block matrix with every block W/r;
 *  - the decoder is tied to the word embeddings ([W, ..., W]/r in 'spec'); its bias is copied;
 *  - 'exact' only: the MLM head LayerNorm gain and bias are divided by r;
 *  - extra layers (pre-LN only) are zero.
 */
export function enlargeMlm(
  params: Concrete<MlmModelParams>,
  config: EncoderConfig,
  options: EnlargeOptions,
): { params: Concrete<MlmModelParams>; config: EncoderConfig } {
  const large = enlargeConfig(config, options);
  const r = options.factor;
  const exact = (options.scaling ?? 'spec') === 'exact';
  const tableScale = exact ? 1 : 1 / r;
  const enc = params.encoder;
  if (enc.layers.length !== config.layers) {
    throw new EnlargeError(`enlarge: the parameters have ${enc.layers.length} layers but the config says ${config.layers}`, { field: 'layers' });
  }
  const e = enc.embeddings;
  const layers = enc.layers.map((lp) => enlargeLayer(lp, r));
  if (layers.length === 0 && large.layers > 0) throw new EnlargeError('enlarge: cannot add layers to a model without any (no shapes to copy)', { field: 'layers' });
  while (layers.length < large.layers) layers.push(zeroLayer(layers[0]!));
  const encoder: Concrete<EncoderParams> = {
    embeddings: {
      word: tileColumns(e.word, r, tableScale),
      position: tileColumns(e.position, r, tableScale),
      ...(e.tokenType ? { tokenType: tileColumns(e.tokenType, r, tableScale) } : {}),
      ln: lnTiled(e.ln, r),
    },
    layers,
    ...(enc.finalLn ? { finalLn: lnTiled(enc.finalLn, r) } : {}),
  };
  const h = params.mlmHead;
  const mlmHead: Concrete<MlmHeadParams> = {
    transform: { w: blocks(h.transform.w, r), b: tile(h.transform.b, r) },
    ln: lnTiled(h.ln, r, exact ? 1 / r : 1),
    bias: new HostTensor(h.bias.axes, h.bias.shape, 'f32', Float32Array.from(f32(h.bias))),
  };
  return { params: { encoder, mlmHead }, config: large };
}
