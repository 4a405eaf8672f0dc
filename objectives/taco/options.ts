import type { EncoderConfig } from '../../models/config.ts';
import type { VocabInfo } from '../objective.ts';
import { TacoOptionError } from './errors.ts';

/** Which tokens are TC anchors (spec 3b): all ("15% mlm + 100% tc", TACO), non-masked (85%), masked (15%). */
export type TcAnchorSet = 'all' | 'unmasked' | 'masked';

/** Options of the token-level contrastive term, shared by TACO and compositions. */
export interface TokenContrastiveOptions {
  /** K negatives per anchor (default 50). */
  readonly negatives?: number;
  /** W, odd: positives at |δ| <= floor(W/2) (default 5). */
  readonly window?: number;
  /** τ (default 0.07). */
  readonly temperature?: number;
  /** w in L = L_MLM + w·L_TC (default 1). */
  readonly weight?: number;
  /** λ in g = h − λ·e (default 1). */
  readonly lambda?: number;
  readonly anchors?: TcAnchorSet;
}

export interface TacoOptions extends TokenContrastiveOptions {
  readonly encoder: EncoderConfig;
  readonly vocab: VocabInfo;
  /** HF Bernoulli selection probability over non-special tokens (default 0.15). */
  readonly maskProb?: number;
}

export type ResolvedTokenContrastiveOptions = Required<TokenContrastiveOptions>;
export type ResolvedTacoOptions = Required<TacoOptions>;

export const TC_DEFAULTS: ResolvedTokenContrastiveOptions = { negatives: 50, window: 5, temperature: 0.07, weight: 1, lambda: 1, anchors: 'all' };

function check(ok: boolean, option: string, value: unknown, want: string): void {
  if (!ok) throw new TacoOptionError(`TACO: ${option} must be ${want}, got ${String(value)}`, { option, value });
}

/** The TC options with defaults; throws TacoOptionError naming a bad option and its value. */
export function resolveTokenContrastiveOptions(options: TokenContrastiveOptions): ResolvedTokenContrastiveOptions {
  const r = { ...TC_DEFAULTS, ...options };
  check(Number.isInteger(r.negatives) && r.negatives >= 1, 'negatives', r.negatives, 'an integer >= 1');
  check(Number.isInteger(r.window) && r.window >= 3 && r.window % 2 === 1, 'window', r.window, 'an odd integer >= 3');
  check(Number.isFinite(r.temperature) && r.temperature > 0, 'temperature', r.temperature, 'a finite number > 0');
  check(Number.isFinite(r.weight) && r.weight >= 0, 'weight', r.weight, 'a finite number >= 0');
  check(Number.isFinite(r.lambda), 'lambda', r.lambda, 'a finite number');
  check(['all', 'unmasked', 'masked'].includes(r.anchors), 'anchors', r.anchors, "'all', 'unmasked' or 'masked'");
  return r;
}

export function resolveTacoOptions(options: TacoOptions): ResolvedTacoOptions {
  const r = { maskProb: 0.15, ...options, ...resolveTokenContrastiveOptions(options) };
  check(r.maskProb >= 0 && r.maskProb <= 1, 'maskProb', r.maskProb, 'a probability in [0, 1]');
  return r;
}
