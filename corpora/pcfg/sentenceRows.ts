import type { Key } from '../../prng/index.ts';
import { rowsToBatch, sentenceInstanceBuilder, type SequenceBatch, type SequenceRow } from '../sequences/index.ts';
import type { Grammar } from './grammar.ts';
import { sentenceAt, sentenceCount } from './sentenceBatch.ts';
import { sampleSentences } from './sentenceSampler.ts';

/** Sub-streams of a corpus's sampling key (pcfg generate --seed), so train and valid sentences never coincide. */
export const SPLIT_STREAMS = { train: 0, valid: 1 } as const;

/**
 * Sentences first..first+count-1 of the sampler's stream `k` as dataset rows (spec 5b3): terminal
 * ids mapped to vocab ids, one `[CLS] w.. [SEP]` row per sentence padded to seqLen, block id =
 * sentence index. `pretext pcfg generate` writes these rows; the browser page trains on them.
 */
export function pcfgSentenceRows(
  grammar: Grammar, tokenOfTerminal: Int32Array, specials: { readonly cls: number; readonly sep: number; readonly pad: number },
  k: Key, first: number, count: number, seqLen: number,
): SequenceBatch {
  const batch = sampleSentences(grammar, k, count, { first, maxLength: seqLen - 2 });
  const builder = sentenceInstanceBuilder({ seqLen, specials: { cls: specials.cls, sep: specials.sep }, firstBlockId: first, overflow: 'error' });
  const rows: SequenceRow[] = [];
  for (let s = 0; s < sentenceCount(batch); s++) rows.push(...builder.push(Array.from(sentenceAt(batch, s), (id) => tokenOfTerminal[id]!)));
  return rowsToBatch(rows, seqLen, specials.pad);
}
