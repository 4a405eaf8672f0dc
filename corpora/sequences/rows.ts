import { SequenceError } from './errors.ts';

/** One unpadded sequence: its tokens (specials included) and a stable integer id. */
export interface SequenceRow {
  readonly blockId: number;
  readonly tokens: Int32Array;
}

/**
 * A push-based sequence builder: feed it tokenised texts one at a time, collect the rows each push
 * completes, then the rows `finish` flushes. Push-based so the same builder serves arrays, sync
 * and async streams (see buildRows / buildRowsAsync) without buffering the corpus.
 */
export interface RowBuilder {
  push(tokens: ArrayLike<number>): SequenceRow[];
  finish(): SequenceRow[];
}

/** Ids of the specials sequence building inserts. */
export interface SequenceSpecials {
  readonly cls: number;
  readonly sep: number;
  readonly pad: number;
}

export function* buildRows(builder: RowBuilder, texts: Iterable<ArrayLike<number>>): Generator<SequenceRow> {
  for (const t of texts) yield* builder.push(t);
  yield* builder.finish();
}

export async function* buildRowsAsync(builder: RowBuilder, texts: AsyncIterable<ArrayLike<number>> | Iterable<ArrayLike<number>>): AsyncGenerator<SequenceRow> {
  for await (const t of texts) yield* builder.push(t);
  yield* builder.finish();
}

export function checkSeqLen(seqLen: number, least: number): void {
  if (!Number.isInteger(seqLen) || seqLen < least) {
    throw new SequenceError(`seqLen must be an integer >= ${least}, got ${seqLen}`, { option: 'seqLen', seqLen });
  }
}
