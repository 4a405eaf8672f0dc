import type { Vocab } from '../../corpora/tokenizer/vocab.ts';
import { maskedWordProbsOfRows } from '../../eval/maskedConditionals.ts';
import type { HostMlmView } from '../../eval/mlmView.ts';
import { PretextError } from '../../util/errors.ts';

export class PredictionInputError extends PretextError {}

export interface Prediction {
  readonly word: string;
  readonly prob: number;
}

/** Placeholders a user may type for the masked word. */
const MASKS = new Set(['[MASK]', '_', '?']);

/**
 * The model's `k` most probable words for the masked word of `text` (whitespace-separated words of
 * the vocabulary; one of them [MASK], _ or ?), in eval mode: softmax over the whole vocabulary,
 * specials excluded from the list. Unknown words become [UNK].
 */
export function predictMasked(view: HostMlmView, vocab: Vocab, text: string, k: number): Prediction[] {
  const words = text.trim().split(/\s+/u).filter(Boolean);
  const at = words.findIndex((w) => MASKS.has(w.toUpperCase()));
  if (at < 0) throw new PredictionInputError(`"${text}": no masked word (write [MASK], _ or ? where it goes)`, { text });
  const seqLen = view.config.maxPositions;
  if (words.length + 2 > seqLen) throw new PredictionInputError(`"${text}": ${words.length} words, but the model reads at most ${seqLen - 2}`, { text, words: words.length });
  const { specials } = vocab;
  const inputIds = new Int32Array(seqLen).fill(specials.pad);
  const attentionMask = new Uint8Array(seqLen);
  inputIds[0] = specials.cls;
  words.forEach((w, i) => {
    inputIds[i + 1] = i === at ? specials.mask : (vocab.idOf(w) ?? vocab.idOf(w.toLowerCase()) ?? specials.unk);
  });
  inputIds[words.length + 1] = specials.sep;
  attentionMask.fill(1, 0, words.length + 2);
  const special = new Set(Object.values(specials));
  const wordIds = Int32Array.from({ length: vocab.size }, (_, i) => i).filter((i) => !special.has(i));
  const rows = { rows: 1, seqLen, inputIds, attentionMask, maskedAt: Int32Array.of(at + 1), sentenceOffsets: Int32Array.of(0, 1) };
  const q = maskedWordProbsOfRows(view, rows, wordIds, { batchSize: 1 });
  return [...wordIds.keys()].sort((a, b) => q[b]! - q[a]!).slice(0, k).map((j) => ({ word: vocab.tokenOf(wordIds[j]!), prob: q[j]! }));
}
