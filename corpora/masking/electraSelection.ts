import { bernoulli, randint, splitKey, uniform, type Key } from '../../prng/index.ts';
import { electraMaskCount, lucidrainsMaxMasked, lucidrainsRowLimit } from './counts.ts';
import { MaskingError } from './errors.ts';
import { checkId, checkProbability, gridRows, rowKey } from './grid.ts';
import { IGNORE_INDEX, type MaskedTokens, type TokenGrid } from './types.ts';

/** Options named after lucidrains/electra-pytorch's constructor. */
export interface ElectraSelectionOptions {
  /** p (default 0.15). */
  readonly maskProb?: number;
  /** Probability that a position of S \ R becomes [MASK] (default 0.85); otherwise unchanged. */
  readonly replaceProb?: number;
  /** Probability of a random token at *any* position (default 0; needs numTokens). */
  readonly randomTokenProb?: number;
  /** Random tokens are uniform over [0, numTokens). */
  readonly numTokens?: number;
  readonly maskTokenId: number;
  /** Always added to the ignore set. */
  readonly padTokenId: number;
  /** Never maskable (e.g. [CLS], [SEP]); drawn random tokens with these ids are discarded. */
  readonly maskIgnoreTokenIds?: readonly number[];
  /** Reproduce the reference code's running-count-at-column selection (spec 4c). Default false. */
  readonly lucidrainsCompat?: boolean;
}

/**
 * ELECTRA's selection S and generator input x^g. `inputIds` is x^g, `selected` is S, `labels` the
 * original token on S. `randomized` marks R, the positions given a random token: R may lie
 * outside S, and R ∩ S stays in S (labelled, sampled and replaced, as the reference); only the
 * [MASK] replacement skips R.
 */
export interface ElectraSelection extends MaskedTokens {
  readonly randomized: Uint8Array;
}

/**
 * Selection:
 * - intended (default): exactly min(ceil(p·n_b), ceil(p·T)) of the n_b maskable positions,
 *   uniformly without replacement;
 * - lucidrainsCompat: take the ceil(p·T) highest of a uniform draw (maskable first, then the
 *   rest), and keep pick k iff the running count of maskable positions at *column* k is
 *   <= ceil(p·n_b) (float32, as torch). Non-maskable positions before the first maskable one add
 *   extra masks, and rows with few maskable tokens get masks on ignored ids (pad included). There
 *   labels stay IGNORE_INDEX where the original is pad, because the reference's ignore_index is
 *   the pad id — the one exception to "labels = original on S".
 * Then R ~ Bernoulli(randomTokenProb) everywhere with r ~ U{0..numTokens-1}, dropping draws of
 * ignored ids; x^g = r on R; each t in S \ R becomes [MASK] with probability replaceProb.
 */
export function electraSelection(key: Key, grid: TokenGrid, options: ElectraSelectionOptions): ElectraSelection {
  const where = 'electraSelection';
  const rows = gridRows(grid, where);
  const T = grid.seqLen;
  const p = options.maskProb ?? 0.15;
  const replaceProb = options.replaceProb ?? 0.85;
  const randomTokenProb = options.randomTokenProb ?? 0;
  checkProbability(p, 'maskProb', where);
  checkProbability(replaceProb, 'replaceProb', where);
  checkProbability(randomTokenProb, 'randomTokenProb', where);
  checkId(options.maskTokenId, 'maskTokenId', where);
  checkId(options.padTokenId, 'padTokenId', where);
  const numTokens = options.numTokens ?? 0;
  if (randomTokenProb > 0 && !(Number.isInteger(numTokens) && numTokens > 0)) {
    throw new MaskingError(`${where}: randomTokenProb > 0 needs numTokens (a positive integer), got ${options.numTokens}`, { option: 'numTokens', value: options.numTokens });
  }
  const ignore = new Set([...(options.maskIgnoreTokenIds ?? []), options.padTokenId]);
  const compat = options.lucidrainsCompat ?? false;

  const x = grid.inputIds;
  const inputIds = Int32Array.from(x);
  const labels = new Int32Array(x.length).fill(IGNORE_INDEX);
  const selected = new Uint8Array(x.length);
  const randomized = new Uint8Array(x.length);
  for (let r = 0; r < rows; r++) {
    const off = r * T;
    const [kSelect, kRandomAt, kRandomId, kReplace] = splitKey(rowKey(key, grid, r, where), 4);
    const u = uniform(kSelect!, T);
    const maskable: number[] = [];
    const other: number[] = [];
    for (let t = 0; t < T; t++) (ignore.has(x[off + t]!) ? other : maskable).push(t);
    const byDraw = (a: number, b: number): number => u[b]! - u[a]! || a - b;
    const picks = [...maskable.sort(byDraw), ...other.sort(byDraw)];
    const n = maskable.length;
    if (compat) {
      const limit = lucidrainsRowLimit(p, n);
      const maxMasked = Math.min(T, lucidrainsMaxMasked(p, T));
      let running = 0;
      for (let k = 0; k < maxMasked; k++) {
        if (!ignore.has(x[off + k]!)) running++; // running count at column k, not pick k
        if (running <= limit) selected[off + picks[k]!] = 1;
      }
    } else {
      const c = electraMaskCount(p, n, T);
      for (let k = 0; k < c; k++) selected[off + picks[k]!] = 1;
    }
    for (let t = 0; t < T; t++) if (selected[off + t] && !(compat && x[off + t] === options.padTokenId)) labels[off + t] = x[off + t]!;

    if (randomTokenProb > 0) {
      const at = bernoulli(kRandomAt!, randomTokenProb, T);
      const ids = randint(kRandomId!, 0, numTokens, T);
      for (let t = 0; t < T; t++) {
        if (at[t] && !ignore.has(ids[t]!)) {
          randomized[off + t] = 1;
          inputIds[off + t] = ids[t]!;
        }
      }
    }
    const replace = uniform(kReplace!, T);
    for (let t = 0; t < T; t++) {
      if (selected[off + t] && !randomized[off + t] && replace[t]! < replaceProb) inputIds[off + t] = options.maskTokenId;
    }
  }
  return { rows, seqLen: T, inputIds, labels, selected, randomized };
}
