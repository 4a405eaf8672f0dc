import { expect } from 'vitest';
import type { HostTensor } from '../../../dsl/host.ts';
import type { TokenBatch, VocabInfo } from '../../../objectives/objective.ts';

/**
 * Row r of a prepared batch looks like fairseq dynamic masking: floor(0.15·n + U) predictions
 * among the n real tokens, each [MASK], a non-special random id or unchanged; others untouched.
 */
export function exactCountCheck(tokens: TokenBatch, b: { inputIds: HostTensor; labels: HostTensor }, r: number, vocab: VocabInfo): void {
  const T = tokens.seqLen;
  let n = 0;
  let predictions = 0;
  for (let t = 0; t < T; t++) {
    const i = r * T + t;
    if (tokens.attentionMask[i]) n++;
    const label = b.labels.data[i]!;
    if (label >= 0) {
      predictions++;
      expect(label).toBe(tokens.inputIds[i]);
      const x = b.inputIds.data[i]!;
      expect(x === vocab.mask || x === tokens.inputIds[i] || ![vocab.pad, vocab.unk, vocab.cls, vocab.sep, vocab.mask].includes(x)).toBe(true);
    } else {
      expect(b.inputIds.data[i]).toBe(tokens.inputIds[i]);
    }
  }
  expect([Math.floor(0.15 * n), Math.floor(0.15 * n + 1)]).toContain(predictions);
}
