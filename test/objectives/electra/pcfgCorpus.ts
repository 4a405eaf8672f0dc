import { batchTexts, generateGrammar, sampleSentences } from '../../../corpora/pcfg/index.ts';
import { packedBlockBuilder } from '../../../corpora/sequences/index.ts';
import { buildWordLevelVocab } from '../../../corpora/tokenizer/index.ts';
import { key } from '../../../prng/index.ts';
import { type TokenBatch, type VocabInfo, vocabInfo } from '../../../objectives/objective.ts';

/**
 * A small PCFG corpus for objective tests (shared by the electra, taco and composed tests):
 * sentences of a random grammar, a word-level vocabulary, and two ways to batch them —
 * `[CLS] w.. [SEP]` rows padded to seqLen (ELECTRA), or packed blocks without padding (TACO).
 */
export interface PcfgCorpus {
  readonly vocab: VocabInfo;
  readonly sentences: readonly Int32Array[];
  /** Rows first .. first + rows - 1 (mod the corpus), one sentence per row, padded. */
  paddedBatch(first: number, rows: number, seqLen: number): TokenBatch;
  /** Rows first .. first + rows - 1 (mod the number of blocks) of exactly seqLen tokens cut from the concatenated `[CLS] s [SEP]` stream. */
  packedBatch(first: number, rows: number, seqLen: number): TokenBatch;
}

export function pcfgCorpus(seed: number, count: number, maxLength = 14): PcfgCorpus {
  const g = generateGrammar(key(seed));
  const texts = batchTexts(g, sampleSentences(g, key(seed + 1), count, { maxLength }));
  const v = buildWordLevelVocab(texts.flatMap((t) => t.split(' ')));
  const vocab = vocabInfo(v);
  const sentences = texts.map((t) => Int32Array.from(t.split(' '), (w) => v.idOf(w)!));
  const blocksByLength = new Map<number, Int32Array[]>();
  const blocks = (seqLen: number): Int32Array[] => {
    let out = blocksByLength.get(seqLen);
    if (!out) {
      const builder = packedBlockBuilder({ seqLen, specials: vocab });
      out = [...sentences.flatMap((s) => builder.push(s)), ...builder.finish()].map((row) => row.tokens);
      blocksByLength.set(seqLen, out);
    }
    return out;
  };
  return {
    vocab,
    sentences,
    paddedBatch(first, rows, seqLen) {
      const inputIds = new Int32Array(rows * seqLen).fill(vocab.pad);
      const attentionMask = new Uint8Array(rows * seqLen);
      for (let r = 0; r < rows; r++) {
        const s = sentences[(first + r) % sentences.length]!.subarray(0, seqLen - 2);
        const ids = [vocab.cls, ...s, vocab.sep];
        ids.forEach((id, t) => {
          inputIds[r * seqLen + t] = id;
          attentionMask[r * seqLen + t] = 1;
        });
      }
      return { inputIds, attentionMask, rows, seqLen, blockIds: Int32Array.from({ length: rows }, (_, r) => first + r) };
    },
    packedBatch(first, rows, seqLen) {
      const all = blocks(seqLen);
      const inputIds = new Int32Array(rows * seqLen);
      for (let r = 0; r < rows; r++) inputIds.set(all[(first + r) % all.length]!, r * seqLen);
      return { inputIds, attentionMask: new Uint8Array(rows * seqLen).fill(1), rows, seqLen, blockIds: Int32Array.from({ length: rows }, (_, r) => first + r) };
    },
  };
}
