import type { FieldSpec } from './manifest.ts';

/** The values a field may hold and how to say so, e.g. { min: 0, max: 24, what: 'a token id of the 25-token vocabulary' }. */
export interface ValueRange {
  readonly min: number;
  readonly max: number;
  readonly what: string;
}

/** What a dataset says about its rows: their length and, when it records one, the vocabulary's size. */
export interface RowShape {
  readonly seqLen: number;
  readonly vocabSize?: number | undefined;
}

/**
 * What a sequence field can hold (token ids inside the vocabulary, a 0/1 attention mask, lengths
 * up to seqLen); undefined for fields nothing is known about. The writer refuses values outside
 * these ranges, so on reading such a value means the shard's bytes were damaged (a shard of the
 * right size passes the size check), and reads say so instead of handing garbage to training.
 */
export function valueRange(shape: RowShape, field: FieldSpec): ValueRange | undefined {
  switch (field.name) {
    case 'inputIds':
      return shape.vocabSize !== undefined ? { min: 0, max: shape.vocabSize - 1, what: `a token id of the ${shape.vocabSize}-token vocabulary` } : undefined;
    case 'attentionMask':
      return { min: 0, max: 1, what: '0 or 1' };
    case 'lengths':
      return { min: 0, max: shape.seqLen, what: `a length of at most seqLen ${shape.seqLen}` };
    default:
      return undefined;
  }
}

/** Index of the first value of `values` outside `range`, or -1. */
export function firstOutOfRange(values: ArrayLike<number>, range: ValueRange): number {
  for (let i = 0; i < values.length; i++) if (!(values[i]! >= range.min && values[i]! <= range.max)) return i;
  return -1;
}
