import * as p from '../dsl/index.ts';
import type { Tensor } from '../dsl/tensor.ts';
import { PretextError } from '../util/errors.ts';
import type { EncoderConfig } from './config.ts';
import { type DropoutContext, type EncoderInputs, type Hidden, type TokenGrid, embed, encoderLayer, layerNorm } from './encoder.ts';
import type { EncoderParams } from './params.ts';

/** A token-dropping setting that cannot route (drop count, route start) — names the option and value. */
export class TokenDroppingError extends PretextError {}

/**
 * Which positions skip the middle layers: exactly `dropCount` per row (a static shape), dropped
 * and kept tokens in their original order.
 */
export interface TokenRoute {
  /** i32: positions of the kept tokens, ascending (T - dropCount per row). */
  readonly kept: Tensor<['batch', 'kept']>;
  /** bool: true at dropped positions. */
  readonly dropped: TokenGrid;
  /** i32: a kept position's index in `kept` (0 at dropped positions). */
  readonly keptSlot: TokenGrid;
}

/** Positions dropped per row of length n at drop ratio ρ: floor(n·ρ). */
export function dropCountFor(n: number, dropRatio: number): number {
  return Math.floor(n * dropRatio);
}

/**
 * rank_i = #{j ∈ among : (s_j, j) < (s_i, i)}: i's place in a stable ascending sort of the
 * positions `among` (all when absent) by `keys` (pairwise comparisons: the DSL has no sort).
 */
function stableRank(keys: TokenGrid, among?: TokenGrid): TokenGrid {
  const pos = p.iota(keys.axes, keys.shape, 'seq');
  const kJ = p.rename(keys, { seq: 'other' });
  const posJ = p.rename(pos, { seq: 'other' });
  const before = p.or(p.lt(kJ, keys), p.and(p.eq(kJ, keys), p.lt(posJ, pos)));
  return p.sum(p.cast(among ? p.and(before, p.rename(among, { seq: 'other' })) : before, 'i32'), 'other');
}

/** The route of a `dropped` mask that marks exactly `dropCount` positions in every row. */
function routeOfDropped(dropped: TokenGrid, dropCount: number): TokenRoute {
  const seq = dropped.dim('seq');
  const pos = p.iota(dropped.axes, dropped.shape, 'seq');
  const posJ = p.rename(pos, { seq: 'other' });
  const keptJ = p.rename(p.cast(p.not(dropped), 'i32'), { seq: 'other' });
  // index of a kept token among the kept: kept tokens before it
  const keptSlot = p.sum(p.where(p.lt(posJ, pos), keptJ, 0), 'other');
  const slots = p.arange('kept', seq - dropCount);
  const isSlot = p.and(p.not(dropped), p.eq(keptSlot, slots));
  const kept = p.sum(p.where(isSlot, pos, 0), 'seq');
  return { kept, dropped, keptSlot: p.where(dropped, 0, keptSlot) };
}

function checkDropCount(dropCount: number, seq: number): void {
  if (!Number.isInteger(dropCount) || dropCount < 0 || dropCount >= seq) {
    throw new TokenDroppingError(`tokenRoute: dropCount must be an integer in [0, ${seq}) for seq length ${seq}, got ${dropCount}`, { option: 'dropCount', value: dropCount });
  }
}

/**
 * The released code's route of `scores` (['batch', 'seq'] f32): every row drops the `dropCount`
 * lowest (score, position), pads and pinned specials included — so a row with fewer normal
 * tokens than that drops specials, [CLS] (position 0) first among ties.
 */
export function tokenRoute(scores: TokenGrid, dropCount: number): TokenRoute {
  checkDropCount(dropCount, scores.dim('seq'));
  return routeOfDropped(p.lt(stableRank(scores), dropCount), dropCount);
}

/** What the per-row route needs to know about each position besides its score. */
export interface RowTokens {
  /** bool: real tokens (the attention mask); the others are pads. */
  readonly real: TokenGrid;
  /**
   * i32 keep priority of real tokens: 0 droppable, >= 1 protected (higher kept
   * longer: e.g. 1 for pinned ids such as [MASK], 2 for [CLS] and [SEP]).
   */
  readonly protection: TokenGrid;
}

/**
 * The per-row route (T - floor(T·ρ) kept slots per row, a static shape): a row of n real tokens
 * drops d = min(floor(n·ρ), its unprotected tokens) of them, lowest (score, position) first, and
 * fills the rest of its floor(T·ρ) drops with pads. Protected tokens are dropped only when a row
 * has more of them than kept slots (large ρ on short rows): lowest protection first, then last
 * position first, so position 0 is always kept. Pads never take a real token's place.
 */
export function rowLengthRoute(scores: TokenGrid, rows: RowTokens, dropRatio: number): TokenRoute {
  const seq = scores.dim('seq');
  if (!(dropRatio >= 0 && dropRatio < 1)) {
    throw new TokenDroppingError(`rowLengthRoute: dropRatio must be in [0, 1), got ${dropRatio}`, { option: 'dropRatio', value: dropRatio });
  }
  const dropCount = dropCountFor(seq, dropRatio);
  const { real, protection } = rows;
  const droppable = p.and(real, p.eq(protection, 0));
  // floor(n·ρ) as the host computes it, looked up by n (an f32 product can round across an integer)
  const quotas = p.constantOf(Int32Array.from({ length: seq + 1 }, (_, n) => dropCountFor(n, dropRatio)), ['length'], [seq + 1], 'i32');
  const quota = p.gather(quotas, p.sum(p.cast(real, 'i32'), 'seq'), 'length');
  const realDrops = p.minimum(quota, p.sum(p.cast(droppable, 'i32'), 'seq'));
  const droppedReal = p.and(droppable, p.lt(stableRank(scores, droppable), realDrops));
  // fillers: pads by position, then protected tokens by protection, last position first
  const pos = p.iota(scores.axes, scores.shape, 'seq');
  const fillOrder = p.where(real, protection.mul(seq).add(p.sub(seq - 1, pos)), pos.sub(seq));
  const fillers = p.or(p.not(real), protection.gt(0));
  const droppedFill = p.and(fillers, p.lt(stableRank(fillOrder, fillers), p.sub(dropCount, realDrops)));
  return routeOfDropped(p.or(droppedReal, droppedFill), dropCount);
}

/** Rows `route.kept` of x as a shorter tensor of the same axes ('seq' = the kept positions). */
export function gatherKept(x: Hidden, route: TokenRoute): Hidden;
export function gatherKept(x: TokenGrid, route: TokenRoute): TokenGrid;
export function gatherKept(x: Tensor, route: TokenRoute): Tensor {
  return p.rename(p.gather(x, route.kept, 'seq'), { kept: 'seq' });
}

/** Puts kept rows ('seq' = kept) back in place; dropped positions take `others`. */
export function mergeKept(keptRows: Hidden, others: Hidden, route: TokenRoute): Hidden {
  const back = p.gather(p.rename(keptRows, { seq: 'slot' }), route.keptSlot, 'slot');
  return p.where(route.dropped, others, back);
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
  /** Which tokens skip the middle layers (tokenRoute or rowLengthRoute). */
  readonly route: TokenRoute;
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
  const { route } = routing;
  let kept = layer(params.layers[m]!, gatherKept(x, route), keyMask, config, ctx, m, x);
  const keptMask = keyMask ? gatherKept(keyMask, route) : undefined;
  for (let i = m + 1; i <= L - 2; i++) kept = layer(params.layers[i]!, kept, keptMask, config, ctx, i);
  const merged = mergeKept(kept, beforeRoute, route);
  const finalLayer = layer(params.layers[L - 1]!, merged, keyMask, config, ctx, L - 1);
  const last = config.layerNorm === 'pre' && params.finalLn ? layerNorm(finalLayer, params.finalLn, config.layerNormEps) : finalLayer;
  return { last, finalLayer, beforeRoute, keptStates: kept, merged, route };
}
