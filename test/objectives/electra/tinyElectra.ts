import { HostTensor } from '../../../dsl/host.ts';
import { keyInput } from '../../../dsl/random.ts';
import type { Concrete } from '../../../dsl/trace.ts';
import { encoderConfig } from '../../../models/config.ts';
import { type ElectraModelConfig, electraModelConfig } from '../../../models/electra.ts';
import { key } from '../../../prng/key.ts';
import { randint } from '../../../prng/samplers.ts';
import type { ElectraBatch, ElectraOptions } from '../../../objectives/electra/index.ts';
import type { TokenBatch, VocabInfo } from '../../../objectives/objective.ts';

/** A 12-token vocabulary: the five specials, then words 5..11. */
export const TINY_VOCAB: VocabInfo = { size: 12, pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 };

/**
 * A tiny pair for exact float64 checks on the interpreter: discriminator hidden 8 (2 heads, 1
 * layer), generator half as wide; embeddingSize 6 gives both towers a projection unless overridden.
 */
export function tinyElectraModel(options: { embeddingSize?: number; dropout?: number; head?: 'electra' | 'linear'; typeVocabSize?: number; maxPositions?: number } = {}): ElectraModelConfig {
  const discriminator = encoderConfig({
    vocabSize: TINY_VOCAB.size, hidden: 8, layers: 1, heads: 2, ffn: 16, maxPositions: options.maxPositions ?? 16,
    typeVocabSize: options.typeVocabSize ?? 2, dropout: options.dropout ?? 0, attentionDropout: options.dropout ?? 0,
  });
  return electraModelConfig({ discriminator, generatorSize: 0.5, embeddingSize: options.embeddingSize ?? 6, discriminatorHead: options.head ?? 'electra' });
}

export function tinyElectraOptions(overrides: Partial<ElectraOptions> = {}): ElectraOptions {
  return { model: tinyElectraModel(), vocab: TINY_VOCAB, ...overrides };
}

/** Rows `[CLS] words.. [SEP] pad..` with the given lengths (words drawn from the key). */
export function tinyTokens(lengths: readonly number[], seqLen: number, seed = 1): TokenBatch {
  const rows = lengths.length;
  const words = randint(key(seed), 5, TINY_VOCAB.size, rows * seqLen);
  const inputIds = new Int32Array(rows * seqLen).fill(TINY_VOCAB.pad);
  const attentionMask = new Uint8Array(rows * seqLen);
  lengths.forEach((n, r) => {
    for (let t = 0; t < n + 2; t++) {
      inputIds[r * seqLen + t] = t === 0 ? TINY_VOCAB.cls : t === n + 1 ? TINY_VOCAB.sep : words[r * seqLen + t]!;
      attentionMask[r * seqLen + t] = 1;
    }
  });
  return { inputIds, attentionMask, rows, seqLen };
}

/** The host values of a ['batch', 'seq'] tensor as rows. */
export function rowsOf(t: HostTensor, seqLen: number): number[][] {
  const data = Array.from(t.data);
  return Array.from({ length: data.length / seqLen }, (_, r) => data.slice(r * seqLen, (r + 1) * seqLen));
}

export const lossKey = (seed: number) => keyInput(key(seed));
export type HostElectraBatch = Concrete<ElectraBatch>;
