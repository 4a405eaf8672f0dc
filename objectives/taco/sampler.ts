import { type Key, randomBits, splitKey } from '../../prng/key.ts';
import { TacoBatchError } from './errors.ts';

/** Where the real tokens are: rows x seqLen, 1 = token, 0 = padding. */
export interface TokenLayout {
  readonly rows: number;
  readonly seqLen: number;
  readonly attentionMask: Uint8Array;
}

/** One step's TC draws, for every position (b, t) of a rows x seqLen batch (index b·T + t). */
export interface TcSamples {
  readonly rows: number;
  readonly seqLen: number;
  readonly negatives: number;
  /** Column of the positive in the anchor's own row (the anchor itself where it has none). */
  readonly positive: Int32Array;
  /** The drawn offset δ (±1..±floor(W/2)). */
  readonly delta: Int32Array;
  /** 1 where t + δ was not a token of the row and the positive was redrawn over the row ("weak positive"). */
  readonly fallback: Uint8Array;
  /** 1 where (b, t) is a token and its row has another token to be its positive. */
  readonly hasPositive: Uint8Array;
  /** Row and column of negative k of (b, t) at index (b·T + t)·K + k. */
  readonly negativeRow: Int32Array;
  readonly negativeColumn: Int32Array;
}

/**
 * TACO's sampler (spec 3b; reference scripts/sampler.py), with replacement, independent per anchor:
 *  - positive: same row, t + δ with δ uniform over ±1..±floor(W/2); if t + δ is outside the row,
 *    a column uniform over the row's other tokens;
 *  - K negatives: a row uniform over the other rows, a column uniform over that row.
 * Without padding this is exactly the reference. With padding (a documented deviation) only real
 * tokens are drawn: "outside the row" also means "on a pad", and rows without tokens are skipped.
 * Pure in the key: the objective redraws it every step from the step's key.
 */
export function sampleTcPairs(key: Key, layout: TokenLayout, options: { readonly negatives: number; readonly window: number }): TcSamples {
  const { rows: B, seqLen: T, attentionMask } = layout;
  const K = options.negatives;
  const half = Math.floor(options.window / 2);
  if (attentionMask.length !== B * T) throw new TacoBatchError(`TACO sampler: attentionMask has ${attentionMask.length} entries for ${B} x ${T}`, { option: 'attentionMask', value: attentionMask.length });
  const tokens = Array.from({ length: B }, (_, b) => {
    const cols: number[] = [];
    for (let t = 0; t < T; t++) if (attentionMask[b * T + t]) cols.push(t);
    return cols;
  });
  const filled = tokens.flatMap((cols, b) => (cols.length > 0 ? [b] : []));
  if (filled.length < 2) throw new TacoBatchError(`TACO needs at least two rows with tokens (negatives come from other rows), got ${filled.length} of ${B}`, { option: 'rows', value: filled.length });

  const [kDelta, kFallback, kNegRow, kNegCol] = splitKey(key, 4) as [Key, Key, Key, Key];
  const deltaBits = randomBits(kDelta, B * T);
  const fallbackBits = randomBits(kFallback, B * T);
  const negRowBits = randomBits(kNegRow, B * T * K);
  const negColBits = randomBits(kNegCol, B * T * K);
  const positive = new Int32Array(B * T);
  const delta = new Int32Array(B * T);
  const fallback = new Uint8Array(B * T);
  const hasPositive = new Uint8Array(B * T);
  const negativeRow = new Int32Array(B * T * K);
  const negativeColumn = new Int32Array(B * T * K);
  for (let b = 0; b < B; b++) {
    const cols = tokens[b]!;
    const others = filled.filter((r) => r !== b);
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      const j = deltaBits[i]! % (2 * half);
      const d = j < half ? j - half : j - half + 1; // -half..-1, 1..half
      delta[i] = d;
      positive[i] = t;
      if (attentionMask[i] && cols.length >= 2) {
        hasPositive[i] = 1;
        const at = t + d;
        if (at >= 0 && at < T && attentionMask[b * T + at]) positive[i] = at;
        else {
          fallback[i] = 1;
          const self = cols.indexOf(t);
          const pick = fallbackBits[i]! % (cols.length - 1);
          positive[i] = cols[pick < self ? pick : pick + 1]!;
        }
      }
      for (let k = 0; k < K; k++) {
        const n = i * K + k;
        const row = others[negRowBits[n]! % others.length]!;
        const rowCols = tokens[row]!;
        negativeRow[n] = row;
        negativeColumn[n] = rowCols[negColBits[n]! % rowCols.length]!;
      }
    }
  }
  return { rows: B, seqLen: T, negatives: K, positive, delta, fallback, hasPositive, negativeRow, negativeColumn };
}

/** Flat candidate indices row·T + column, [B, T, K + 1] row-major: candidate 0 is the positive, 1..K the negatives. */
export function tcCandidateIndices(s: TcSamples): Int32Array {
  const { rows: B, seqLen: T, negatives: K } = s;
  const out = new Int32Array(B * T * (K + 1));
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      out[i * (K + 1)] = b * T + s.positive[i]!;
      for (let k = 0; k < K; k++) out[i * (K + 1) + 1 + k] = s.negativeRow[i * K + k]! * T + s.negativeColumn[i * K + k]!;
    }
  }
  return out;
}
