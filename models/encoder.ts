import * as p from '../dsl/index.ts';
import type { KeyTensor } from '../dsl/random.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { EncoderConfig } from './config.ts';
import type { EmbeddingParams, EncoderParams, LayerNormParams, LayerParams } from './params.ts';

/** Hidden states. */
export type Hidden = Tensor<['batch', 'seq', 'hidden']>;
/** Per-token values (ids, masks, positions). */
export type TokenGrid = Tensor<['batch', 'seq']>;

/** Train-mode randomness: dropout keys derive from `key` by site (never reused). */
export interface DropoutContext {
  readonly key: KeyTensor;
  readonly hidden: number;
  readonly attention: number;
}

export interface EncoderInputs {
  /** i32 */
  readonly inputIds: TokenGrid;
  /** bool, true = real token (omit: all real). */
  readonly attentionMask?: TokenGrid | undefined;
  /** i32 segment ids. */
  readonly tokenTypes?: TokenGrid | undefined;
  /** i32 positions (default 0..seq-1). */
  readonly positions?: TokenGrid | undefined;
}

export const layerNorm = (x: Hidden, ln: LayerNormParams, eps: number): Hidden => p.layerNorm(x, 'hidden', ln.gain, ln.bias, eps);

function drop(ctx: DropoutContext | undefined, site: number, x: Hidden, rate: number): Hidden {
  return ctx && rate > 0 ? p.dropout(p.foldInTensor(ctx.key, site), x, rate) : x;
}

/** Word + position (+ token type) embeddings, LayerNorm, dropout: h^0. */
export function embed(e: EmbeddingParams, inputs: EncoderInputs, config: EncoderConfig, ctx?: DropoutContext): Hidden {
  const { inputIds } = inputs;
  const seq = inputIds.dim('seq');
  let x = p.gather(e.word, inputIds, 'vocab');
  const positionTable = p.slice(e.position, 'position', 0, seq);
  x = inputs.positions
    ? x.add(p.gather(e.position, inputs.positions, 'position'))
    : x.add(p.rename(positionTable, { position: 'seq' }));
  if (e.tokenType) {
    const types = inputs.tokenTypes ?? p.zeros(inputIds.axes, inputIds.shape, 'i32');
    x = x.add(p.gather(e.tokenType, types, 'type'));
  }
  return drop(ctx, 0, layerNorm(x, e.ln, config.layerNormEps), config.dropout);
}

/**
 * Multi-head attention of queries `x` over keys/values `context` (the same tensor for
 * self-attention; ScTD's cross-attention layer passes all tokens as context).
 */
export function attentionBlock(lp: LayerParams, x: Hidden, context: Hidden, keyMask: TokenGrid | undefined, config: EncoderConfig, ctx: DropoutContext | undefined, site: number): Hidden {
  const dropoutOpt = ctx && config.attentionDropout > 0 ? { key: p.foldInTensor(ctx.key, site), rate: config.attentionDropout } : undefined;
  const out = p.multiHeadAttention(x, lp.attention, { heads: config.heads, ...(keyMask ? { keyMask } : {}), ...(dropoutOpt ? { dropout: dropoutOpt } : {}) }, context);
  return drop(ctx, site + 1, out, config.dropout);
}

export function feedForward(lp: LayerParams, x: Hidden, config: EncoderConfig, ctx: DropoutContext | undefined, site: number): Hidden {
  const h = p.gelu(p.dot(x, lp.ffnIn.w, 'hidden').add(lp.ffnIn.b), config.gelu);
  return drop(ctx, site, p.dot(h, lp.ffnOut.w, 'ffn').add(lp.ffnOut.b), config.dropout);
}

/**
 * One transformer layer. Queries are `x`; keys/values are `context` (default x). keyMask is over
 * the context positions (['batch', 'seq'] bool).
 */
export function encoderLayer(lp: LayerParams, x: Hidden, keyMask: TokenGrid | undefined, config: EncoderConfig, ctx: DropoutContext | undefined, layerIndex: number, context: Hidden = x): Hidden {
  const site = 10 + 10 * layerIndex;
  const eps = config.layerNormEps;
  if (config.layerNorm === 'post') {
    const a = layerNorm(x.add(attentionBlock(lp, x, context, keyMask, config, ctx, site)), lp.attentionLn, eps);
    return layerNorm(a.add(feedForward(lp, a, config, ctx, site + 3)), lp.ffnLn, eps);
  }
  const nx = layerNorm(x, lp.attentionLn, eps);
  const nc = context === x ? nx : layerNorm(context, lp.attentionLn, eps);
  const a = x.add(attentionBlock(lp, nx, nc, keyMask, config, ctx, site));
  return a.add(feedForward(lp, layerNorm(a, lp.ffnLn, eps), config, ctx, site + 3));
}

export interface EncoderOutput {
  /** Last layer output (after the final LN of a pre-LN encoder): ['batch', 'seq', 'hidden']. */
  readonly last: Hidden;
  /** h^0 (embedding output), then each layer's output. */
  readonly states: readonly Hidden[];
}

/** The full encoder. Dropout is active when a DropoutContext is given (train mode). */
export function encode(params: EncoderParams, inputs: EncoderInputs, config: EncoderConfig, ctx?: DropoutContext): EncoderOutput {
  const embedded = embed(params.embeddings, inputs, config, ctx);
  const projection = params.embeddingProjection;
  const states: Hidden[] = [projection ? p.rename(p.dot(embedded, projection.w, 'hidden').add(projection.b), { out: 'hidden' }) : embedded];
  const keyMask = inputs.attentionMask;
  params.layers.forEach((lp, i) => states.push(encoderLayer(lp, states[states.length - 1]!, keyMask, config, ctx, i)));
  let last = states[states.length - 1]!;
  if (config.layerNorm === 'pre' && params.finalLn) last = layerNorm(last, params.finalLn, config.layerNormEps);
  return { last, states };
}
