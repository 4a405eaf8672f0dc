import { sampleWithoutReplacement, splitKey, uniform, type Key } from '../../prng/index.ts';
import { exactMaskCount } from './counts.ts';
import { checkId, checkProbability, gridRows, rowKey, toIdSet } from './grid.ts';
import { checkPolicy, nonSpecialPool, replaceSelected } from './replacement.ts';
import { BERT_REPLACEMENT, IGNORE_INDEX, type MaskedTokens, type ReplacementPolicy, type TokenGrid } from './types.ts';

export interface ExactCountOptions {
  /** Default 0.15. */
  readonly maskProb?: number;
  readonly maskId: number;
  readonly padId: number;
  readonly vocabSize: number;
  /** Specials: excluded from the default random-replacement pool. */
  readonly specialIds: Iterable<number>;
  /**
   * Ids never selected (the candidate set is every other position). Default: [padId] only, as
   * fairseq/SE, where `<s>` and `</s>` can be masked. n in the count formula = #candidates.
   */
  readonly excludeIds?: Iterable<number>;
  /** Random replacement ids; default every id in [0, vocabSize) except specialIds (fairseq). */
  readonly randomTokenIds?: Int32Array;
  readonly replacement?: ReplacementPolicy;
}

/** Options resolved once per call (shared with hardTokenMasking's fallback). */
export interface ResolvedExactCount {
  readonly p: number;
  readonly maskId: number;
  readonly exclude: ReadonlySet<number>;
  readonly pool: Int32Array;
  readonly policy: ReplacementPolicy;
}

export function resolveExactCount(options: ExactCountOptions, where: string): ResolvedExactCount {
  const p = options.maskProb ?? 0.15;
  checkProbability(p, 'maskProb', where);
  checkId(options.maskId, 'maskId', where);
  checkId(options.padId, 'padId', where);
  const policy = options.replacement ?? BERT_REPLACEMENT;
  const pool = options.randomTokenIds ?? nonSpecialPool(options.vocabSize, options.specialIds);
  checkPolicy(policy, pool, where);
  const exclude = new Set(options.excludeIds ? toIdSet(options.excludeIds) : []);
  exclude.add(options.padId);
  return { p, maskId: options.maskId, exclude, pool, policy };
}

/** Candidate positions of row r (ids not excluded), in order. */
export function candidatePositions(ids: Int32Array, off: number, seqLen: number, exclude: ReadonlySet<number>, skip = -1): number[] {
  const out: number[] = [];
  for (let t = 0; t < seqLen; t++) if (t !== skip && !exclude.has(ids[off + t]!)) out.push(t);
  return out;
}

/**
 * Marks `count` of `candidates` uniformly without replacement (a uniformly random subset; the
 * key's permutation decides which).
 */
export function markRandomSubset(k: Key, candidates: readonly number[], count: number, selected: Uint8Array, off: number): void {
  for (const i of sampleWithoutReplacement(k, candidates.length, count)) selected[off + candidates[i]!] = 1;
}

/** Masks one row with the fairseq rule (used by exactCount and as hardTokenMasking's fallback). */
export function exactCountRow(k: Key, source: Int32Array, r: number, seqLen: number, cfg: ResolvedExactCount, out: MaskedTokens): void {
  const off = r * seqLen;
  const [kCount, kPick, kReplace] = splitKey(k, 3);
  const candidates = candidatePositions(source, off, seqLen, cfg.exclude);
  const num = exactMaskCount(cfg.p, candidates.length, uniform(kCount!, 1)[0]!);
  markRandomSubset(kPick!, candidates, num, out.selected, off);
  for (let t = 0; t < seqLen; t++) if (out.selected[off + t]) out.labels[off + t] = source[off + t]!;
  replaceSelected(kReplace!, out.inputIds, off, out.selected, seqLen, cfg.policy, cfg.pool, cfg.maskId);
}

/**
 * fairseq RoBERTa dynamic masking (SE fallback, ScTD): per row, num = floor(p·n + U(0,1))
 * positions chosen uniformly without replacement among the n candidates; 80/10/10 with random
 * ids uniform over the non-special vocabulary.
 */
export function exactCount(key: Key, grid: TokenGrid, options: ExactCountOptions): MaskedTokens {
  const where = 'exactCount';
  const rows = gridRows(grid, where);
  const cfg = resolveExactCount(options, where);
  const out: MaskedTokens = {
    rows,
    seqLen: grid.seqLen,
    inputIds: Int32Array.from(grid.inputIds),
    labels: new Int32Array(grid.inputIds.length).fill(IGNORE_INDEX),
    selected: new Uint8Array(grid.inputIds.length),
  };
  for (let r = 0; r < rows; r++) exactCountRow(rowKey(key, grid, r, where), grid.inputIds, r, grid.seqLen, cfg, out);
  return out;
}
