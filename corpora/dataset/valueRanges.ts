import type { FieldArray } from './dtypes.ts';
import type { FieldSpec, Manifest } from './manifest.ts';

/** The values a field may hold and how to say so, e.g. { min: 0, max: 24, what: 'a token id of the 25-token vocabulary' }. */
export interface ValueRange {
  readonly min: number;
  readonly max: number;
  readonly what: string;
}

/**
 * What the manifest says a sequence field can hold (token ids inside the vocabulary, a 0/1
 * attention mask, lengths up to seqLen); undefined for fields it says nothing about. A shard of
 * the right size whose bytes were damaged shows up as values outside these ranges, so reads check
 * them instead of handing garbage (or an out-of-range gather) to training.
 */
export function valueRange(manifest: Manifest, field: FieldSpec): ValueRange | undefined {
  switch (field.name) {
    case 'inputIds':
      return manifest.vocab ? { min: 0, max: manifest.vocab.size - 1, what: `a token id of the ${manifest.vocab.size}-token vocabulary` } : undefined;
    case 'attentionMask':
      return { min: 0, max: 1, what: '0 or 1' };
    case 'lengths':
      return { min: 0, max: manifest.seqLen, what: `a length of at most seqLen ${manifest.seqLen}` };
    default:
      return undefined;
  }
}

/** Index of the first value of `values` outside `range`, or -1. */
export function firstOutOfRange(values: FieldArray, range: ValueRange): number {
  for (let i = 0; i < values.length; i++) if (!(values[i]! >= range.min && values[i]! <= range.max)) return i;
  return -1;
}
