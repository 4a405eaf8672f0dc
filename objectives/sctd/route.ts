import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { TokenGrid } from '../../models/encoder.ts';
import { type TokenRoute, dropCountFor, rowLengthRoute, tokenRoute } from '../../models/tokenDropping.ts';
import type { VocabInfo } from '../objective.ts';
import type { ResolvedTokenDropping } from './options.ts';

/** Keep priority of a real token (models/tokenDropping.ts RowTokens.protection). */
const PINNED = 1;
const STRUCTURAL = 2;

/** ['vocab'] i32: 2 for [CLS] and [SEP], 1 for the other pinned keep ids, 0 for the rest. */
export function protectionTable(vocab: VocabInfo, keepIds: readonly number[]): Tensor<['vocab']> {
  const table = new Int32Array(vocab.size);
  for (const id of keepIds) table[id] = PINNED;
  table[vocab.cls] = STRUCTURAL;
  table[vocab.sep] = STRUCTURAL;
  return p.constantOf(table, ['vocab'], [vocab.size], 'i32');
}

/**
 * The route of a token-dropping step: by default each row's drop count comes from its real
 * length and specials stay (rowLengthRoute); with paddedLengthDropCompat, the released code's
 * floor(T·ρ) lowest (score, position) of every padded row (tokenRoute).
 */
export function sctdRoute(importance: Tensor<['vocab']>, batch: { inputIds: TokenGrid; attentionMask: TokenGrid }, vocab: VocabInfo, r: ResolvedTokenDropping): TokenRoute {
  const scores = p.gather(importance, batch.inputIds, 'vocab');
  if (r.paddedLengthDropCompat) return tokenRoute(scores, dropCountFor(batch.inputIds.dim('seq'), r.dropRatio));
  const protection = p.gather(protectionTable(vocab, r.keepIds), batch.inputIds, 'vocab');
  return rowLengthRoute(scores, { real: batch.attentionMask, protection }, r.dropRatio);
}
