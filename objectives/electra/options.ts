import type { ElectraModelConfig } from '../../models/electra.ts';
import type { VocabInfo } from '../objective.ts';
import { ElectraOptionError } from './errors.ts';

/**
 * ELECTRA as lucidrains/electra-pytorch implements it (spec 4b), option names after its
 * constructor. Defaults are the reference's, except `maskIgnoreTokenIds`, which defaults to what
 * the OpenWebText script passes ([CLS], [SEP]); pad is always ignored.
 */
export interface ElectraOptions {
  readonly model: ElectraModelConfig;
  readonly vocab: VocabInfo;
  /** p (default 0.15). */
  readonly maskProb?: number;
  /** Probability that a selected position becomes [MASK] in the generator input (default 0.85). */
  readonly replaceProb?: number;
  /** Random tokens anywhere in the generator input (default 0; ids uniform over the vocabulary). */
  readonly randomTokenProb?: number;
  /** Never selected (default [CLS], [SEP]); pad is added always. */
  readonly maskIgnoreTokenIds?: readonly number[];
  /** The reference's running-count selection quirk (spec 4c). Default false: exactly ceil(p·n_b). */
  readonly lucidrainsCompat?: boolean;
  /** Weight of the generator's MLM loss (default 1). */
  readonly genWeight?: number;
  /** Weight of the discriminator's loss (default 50). */
  readonly discWeight?: number;
  /** Gumbel-max sampling temperature (default 1; 0 = argmax). */
  readonly temperature?: number;
}

export type ResolvedElectraOptions = Required<ElectraOptions>;

export const ELECTRA_DEFAULTS = {
  maskProb: 0.15,
  replaceProb: 0.85,
  randomTokenProb: 0,
  lucidrainsCompat: false,
  genWeight: 1,
  discWeight: 50,
  temperature: 1,
} as const;

function check(ok: boolean, option: string, value: unknown, want: string): void {
  if (!ok) throw new ElectraOptionError(`ELECTRA: ${option} must be ${want}, got ${String(value)}`, { option, value });
}

/** Options with defaults filled in; throws ElectraOptionError naming a bad option and its value. */
export function resolveElectraOptions(options: ElectraOptions): ResolvedElectraOptions {
  const r: ResolvedElectraOptions = {
    ...ELECTRA_DEFAULTS,
    maskIgnoreTokenIds: [options.vocab.cls, options.vocab.sep],
    ...options,
  };
  for (const name of ['maskProb', 'replaceProb', 'randomTokenProb'] as const) check(r[name] >= 0 && r[name] <= 1, name, r[name], 'a probability in [0, 1]');
  for (const name of ['genWeight', 'discWeight'] as const) check(Number.isFinite(r[name]) && r[name] >= 0, name, r[name], 'a finite number >= 0');
  check(Number.isFinite(r.temperature) && r.temperature >= 0, 'temperature', r.temperature, 'a finite number >= 0');
  check(r.maskIgnoreTokenIds.every((id) => Number.isInteger(id) && id >= 0 && id < r.vocab.size), 'maskIgnoreTokenIds', r.maskIgnoreTokenIds, `token ids in [0, ${r.vocab.size})`);
  check(r.model.discriminator.vocabSize === r.vocab.size, 'model.discriminator.vocabSize', r.model.discriminator.vocabSize, `the vocabulary size ${r.vocab.size}`);
  return r;
}

/** The resolved options but model and vocabulary, as JSON (what an ELECTRA checkpoint records in pretext.electra.options). */
export function electraOptionsJson(o: ResolvedElectraOptions): Record<string, unknown> {
  const { model: _model, vocab: _vocab, ...rest } = o;
  return { ...rest, maskIgnoreTokenIds: [...rest.maskIgnoreTokenIds] };
}
