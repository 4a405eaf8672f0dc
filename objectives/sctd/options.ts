import type { EncoderConfig } from '../../models/config.ts';
import { dropCountFor, routeStartLayer } from '../../models/tokenDropping.ts';
import type { VocabInfo } from '../objective.ts';
import { SctdError } from './errors.ts';

/**
 * Importance pinned for specials: 1e4 = kept (the routing also protects keep ids explicitly; in
 * paddedLengthDropCompat only while a row has enough normal tokens), -1e4 = dropped first.
 */
export const KEEP_IMPORTANCE = 1e4;
export const DROP_IMPORTANCE = -1e4;

export interface TokenDroppingOptions {
  readonly encoder: EncoderConfig;
  readonly vocab: VocabInfo;
  /**
   * 'sctd' (default; Zhong et al. 2023): β 0.95, pinned keep {cls=<s>, pad, sep=</s>, mask},
   * alignment every 10 updates. 'vanilla' (Hou et al. 2022): β 0.995, pinned keep {unk, cls,
   * sep, mask}, pad always dropped, no alignment. Fields below override the preset.
   */
  readonly preset?: 'sctd' | 'vanilla';
  /**
   * ρ: a row of n real tokens drops floor(n·ρ) of them (never [CLS] or [SEP]; pinned keep ids
   * only when a row has more of them than kept slots), its pads fill the rest of the
   * T - floor(T·ρ) kept slots. Default 0.5.
   */
  readonly dropRatio?: number;
  /**
   * The released code's rule instead: every row drops floor(T·ρ) of its padded length T by a
   * stable (score, position) sort, so short rows drop pinned specials — [CLS] first, which the
   * layer-(L-2) KL then misses — and ScTD keeps pinned pads in place of real tokens. Default false.
   */
  readonly paddedLengthDropCompat?: boolean;
  /** First routed layer m. Default floor(L/2) - 1. */
  readonly routeStart?: number;
  /** EMA decay β of the importance update. */
  readonly emaDecay?: number;
  /** Initial importance: one value for every id (default 10) or a table of vocab size (an init file). */
  readonly importanceInit?: number | Float32Array;
  /** Ids pinned at 1e4 after init and after every update. */
  readonly keepIds?: readonly number[];
  /** Ids pinned at -1e4. */
  readonly dropIds?: readonly number[];
  /** Alignment (semantic-consistency) step every F updates (update mod F == 0, from 0); 0 = never. */
  readonly alignEvery?: number;
  /** Weight of each KL term. Default 0.05. */
  readonly klWeight?: number;
  /**
   * false (default): the loss as coded, L_MLM(drop) + w·(KL_{L-2} + KL_{L-1}). true: the probably
   * intended 0.5·L_MLM(drop) + 0.5·L_MLM(full) + w·(KL_{L-2} + KL_{L-1}) on alignment steps.
   */
  readonly fixLrefBug?: boolean;
  /** fairseq dynamic masking rate. Default 0.15. */
  readonly maskProb?: number;
}

export interface ResolvedTokenDropping {
  readonly dropRatio: number;
  readonly paddedLengthDropCompat: boolean;
  readonly routeStart: number;
  readonly emaDecay: number;
  readonly importanceInit: number | Float32Array;
  readonly keepIds: readonly number[];
  readonly dropIds: readonly number[];
  readonly alignEvery: number;
  readonly klWeight: number;
  readonly fixLrefBug: boolean;
  readonly maskProb: number;
}

function fail(option: string, value: unknown, want: string): never {
  throw new SctdError(`token dropping: ${option} must be ${want}, got ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`, { option, value });
}

/** Defaults of the preset, overridden by the options, validated (errors name the option and value). */
export function resolveTokenDropping(o: TokenDroppingOptions): ResolvedTokenDropping {
  const { vocab } = o;
  const preset = o.preset ?? 'sctd';
  if (preset !== 'sctd' && preset !== 'vanilla') fail('preset', preset, "'sctd' or 'vanilla'");
  const vanilla = preset === 'vanilla';
  const r: ResolvedTokenDropping = {
    dropRatio: o.dropRatio ?? 0.5,
    paddedLengthDropCompat: o.paddedLengthDropCompat ?? false,
    routeStart: routeStartLayer(o.encoder.layers, o.routeStart),
    emaDecay: o.emaDecay ?? (vanilla ? 0.995 : 0.95),
    importanceInit: o.importanceInit ?? 10,
    keepIds: o.keepIds ?? (vanilla ? [vocab.unk, vocab.cls, vocab.sep, vocab.mask] : [vocab.cls, vocab.pad, vocab.sep, vocab.mask]),
    dropIds: o.dropIds ?? (vanilla ? [vocab.pad] : []),
    alignEvery: o.alignEvery ?? (vanilla ? 0 : 10),
    klWeight: o.klWeight ?? 0.05,
    fixLrefBug: o.fixLrefBug ?? false,
    maskProb: o.maskProb ?? 0.15,
  };
  if (!(r.dropRatio >= 0 && r.dropRatio < 1)) fail('dropRatio', r.dropRatio, 'in [0, 1)');
  if (!(r.emaDecay >= 0 && r.emaDecay <= 1)) fail('emaDecay', r.emaDecay, 'in [0, 1]');
  if (!Number.isInteger(r.alignEvery) || r.alignEvery < 0) fail('alignEvery', r.alignEvery, 'an integer >= 0 (0: never align)');
  if (!(r.klWeight >= 0) || !Number.isFinite(r.klWeight)) fail('klWeight', r.klWeight, 'a finite number >= 0');
  if (!(r.maskProb >= 0 && r.maskProb <= 1)) fail('maskProb', r.maskProb, 'in [0, 1]');
  const init = r.importanceInit;
  if (typeof init === 'number' ? !Number.isFinite(init) : init.length !== vocab.size) fail('importanceInit', typeof init === 'number' ? init : `a table of ${init.length}`, `a finite number or a table of vocab size ${vocab.size}`);
  for (const [name, ids] of [['keepIds', r.keepIds], ['dropIds', r.dropIds]] as const) {
    if (ids.some((id) => !Number.isInteger(id) || id < 0 || id >= vocab.size)) fail(name, ids, `token ids in [0, ${vocab.size})`);
  }
  if (r.keepIds.some((id) => r.dropIds.includes(id))) fail('dropIds', r.dropIds, 'disjoint from keepIds');
  return r;
}

export { dropCountFor };
