import type { Axes } from '../dsl/axes.ts';
import * as p from '../dsl/index.ts';
import type { Tensor } from '../dsl/tensor.ts';
import { PretextError } from '../util/errors.ts';
import type { EncoderConfig } from './config.ts';
import { type DropoutContext, type EncoderInputs, type Hidden, embed, encoderLayer, layerNorm } from './encoder.ts';
import type { EncoderParams } from './params.ts';

type T = Tensor<Axes>;

/** A token-dropping setting that cannot route (drop count, route start) — names the option and value. */
export class TokenDroppingError extends PretextError {}

/**
 * Which positions skip the middle layers. Per row, positions are sorted ascending by
 * (score, position) — a stable sort — and the `dropCount` first are dropped; kept and dropped
 * tokens keep their original order.
 */
export interface TokenRoute {
  /** ['batch', 'kept'] i32: positions of the kept tokens, ascending (T - dropCount per row). */
  readonly kept: T;
  /** ['batch', 'seq'] bool: true at dropped positions. */
  readonly dropped: T;
  /** ['batch', 'seq'] i32: a kept position's index in `kept` (0 at dropped positions). */
  readonly keptSlot: T;
}

/**
 * The route of `scores` (['batch', 'seq'] f32): rank_i = #{j : s_j < s_i or (s_j = s_i and j < i)}
 * (pairwise comparisons: the DSL has no sort), dropped iff rank < dropCount.
 */
export function tokenRoute(scores: T, dropCount: number): TokenRoute {
  const seq = scores.dim('seq');
  if (!Number.isInteger(dropCount) || dropCount < 0 || dropCount >= seq) {
    throw new TokenDroppingError(`tokenRoute: dropCount must be an integer in [0, ${seq}) for seq length ${seq}, got ${dropCount}`, { option: 'dropCount', value: dropCount });
  }
  const pos = p.iota(scores.axes, scores.shape, 'seq');
  const sJ = p.rename(scores, { seq: 'other' });
  const posJ = p.rename(pos, { seq: 'other' });
  const before = p.or(p.lt(sJ, scores), p.and(p.eq(sJ, scores), p.lt(posJ, pos)));
  const rank = p.sum(p.cast(before, 'i32'), 'other');
  const dropped = p.lt(rank, dropCount) as T;
  const keptJ = p.rename(p.cast(p.not(dropped), 'i32'), { seq: 'other' });
  // index of a kept token among the kept: kept tokens before it
  const keptSlot = p.sum(p.where(p.lt(posJ, pos), keptJ, 0), 'other') as T;
  const slots = p.arange('kept', seq - dropCount);
  const isSlot = p.and(p.not(dropped), p.eq(keptSlot, slots));
  const kept = p.sum(p.where(isSlot, pos, 0), 'seq') as T;
  return { kept, dropped, keptSlot: p.where(dropped, 0, keptSlot) as T };
}

/** Rows `route.kept` of x (['batch', 'seq', ...]) as a shorter ['batch', 'seq', ...] tensor. */
export function gatherKept(x: T, route: TokenRoute): T {
  return p.rename(p.gather(x, route.kept, 'seq'), { kept: 'seq' }) as T;
}

/** Puts kept rows (['batch', 'seq'=kept, 'hidden']) back in place; dropped positions take `others`. */
export function mergeKept(keptRows: T, others: T, route: TokenRoute): T {
  const back = p.gather(p.rename(keptRows, { seq: 'slot' }), route.keptSlot, 'slot');
  return p.where(route.dropped, others, back) as T;
}

/** A transformer layer as the routed encoder calls it (encoderLayer; tests substitute others). */
export type LayerFunction = typeof encoderLayer;

/** Where routing starts: Hou et al.'s m = floor(L/2) - 1 unless given; must leave 0 <= m <= L - 2. */
export function routeStartLayer(layers: number, routeStart?: number): number {
  const m = routeStart ?? Math.floor(layers / 2) - 1;
  if (!Number.isInteger(m) || m < 0 || m > layers - 2) {
    throw new TokenDroppingError(`token dropping: routeStart must be an integer in [0, ${layers - 2}] for ${layers} layers, got ${m}`, { option: 'routeStart', value: m, layers });
  }
  return m;
}

export interface RoutingOptions {
  /** ['batch', 'seq'] f32 importance of each position's token (lowest are dropped). */
  readonly scores: T;
  /** Positions dropped per row: floor(T·ρ). */
  readonly dropCount: number;
  /** First routed layer m (default floor(L/2) - 1). */
  readonly routeStart?: number;
}

export interface RoutedEncoderOutput {
  /** Output of the last layer (after the final LN of a pre-LN encoder): ['batch', 'seq', 'hidden']. */
  readonly last: Hidden;
  /** Raw output of layer L-1 (all tokens). */
  readonly finalLayer: Hidden;
  /** X: the output of layer m-1 (h^0 when m = 0), which dropped tokens carry to the last layer. */
  readonly beforeRoute: Hidden;
  /** Output of layer L-2 on the kept tokens only: ['batch', 'seq'=T-k, 'hidden']. */
  readonly keptStates: Hidden;
  /** Input of the last layer: kept tokens' layer-(L-2) outputs and dropped tokens' X, in place. */
  readonly merged: Hidden;
  readonly route: TokenRoute;
}

/**
 * The token-dropping encoder (Hou et al. 2022; ScTD): layers 0..m-1 on all tokens; layer m is
 * cross-attention of the kept tokens over all tokens (padding mask over all); layers m+1..L-2 on
 * the kept tokens (mask restricted to them); kept outputs and dropped tokens' X merged back in
 * place; layer L-1 on all tokens. Dropout sites are the plain encoder's, per layer index.
 */
export function routedEncode(
  params: EncoderParams,
  inputs: EncoderInputs,
  config: EncoderConfig,
  routing: RoutingOptions,
  ctx?: DropoutContext,
  layer: LayerFunction = encoderLayer,
): RoutedEncoderOutput {
  const L = params.layers.length;
  const m = routeStartLayer(L, routing.routeStart);
  const keyMask = inputs.attentionMask;
  let x = embed(params.embeddings, inputs, config, ctx);
  for (let i = 0; i < m; i++) x = layer(params.layers[i]!, x, keyMask, config, ctx, i);
  const beforeRoute = x;
  const route = tokenRoute(routing.scores, routing.dropCount);
  let kept = layer(params.layers[m]!, gatherKept(x, route), keyMask, config, ctx, m, x);
  const keptMask = keyMask ? gatherKept(keyMask, route) : undefined;
  for (let i = m + 1; i <= L - 2; i++) kept = layer(params.layers[i]!, kept, keptMask, config, ctx, i);
  const merged = mergeKept(kept, beforeRoute, route);
  const finalLayer = layer(params.layers[L - 1]!, merged, keyMask, config, ctx, L - 1);
  const last = config.layerNorm === 'pre' && params.finalLn ? layerNorm(finalLayer, params.finalLn, config.layerNormEps) : finalLayer;
  return { last, finalLayer, beforeRoute, keptStates: kept, merged, route };
}
