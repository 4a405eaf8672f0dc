import { describe, expect, it } from 'vitest';
import { exactCountCheck } from './exactCountCheck.ts';
import { selfEvolutionObjective, SelfEvolutionError } from '../../../objectives/selfEvolution/index.ts';
import { key } from '../../../prng/key.ts';
import { tinyEncoder, tinyPcfgCorpus } from './tinyPcfgCorpus.ts';

const corpus = tinyPcfgCorpus({ sentences: 80, seqLen: 16, batchRows: 6, validationRows: 4 });
const config = tinyEncoder(corpus.vocab, corpus.seqLen, { hidden: 8, layers: 1, ffn: 16 });
const tokens = corpus.train[0]!;
const T = tokens.seqLen;
const { mask: MASK } = corpus.vocab;

/** Hard sets for the rows: rows 0-2 get several positions, row 3 one, row 4 an empty set, row 5 none. */
function hardMap(): Map<number, Int32Array> {
  const m = new Map<number, Int32Array>();
  for (let r = 0; r < 5; r++) {
    const n = tokens.attentionMask.slice(r * T, (r + 1) * T).reduce((a, b) => a + b, 0);
    const picks = r === 3 ? [2] : r === 4 ? [] : Array.from({ length: n }, (_, t) => t).filter((t) => (t * (r + 3)) % 4 === 0);
    m.set(tokens.blockIds![r]!, Int32Array.from(picks));
  }
  return m;
}

describe('SE stage-2 batches (spec 1f 3)', () => {
  const hard = hardMap();
  const objective = selfEvolutionObjective({ encoder: config, vocab: corpus.vocab, hardPositions: hard });

  it('rows with a usable H: x~ = [MASK] exactly at H, x elsewhere, labels = x at H, #predictions = |H|', () => {
    for (let seed = 0; seed < 5; seed++) {
      const b = objective.prepare(tokens, key(seed), seed, 'train');
      expect(Array.from(b.originalIds.data)).toEqual(Array.from(tokens.inputIds));
      for (let r = 0; r < 4; r++) {
        const H = new Set(hard.get(tokens.blockIds![r]!)!);
        let predictions = 0;
        for (let t = 0; t < T; t++) {
          const i = r * T + t;
          expect(b.inputIds.data[i]).toBe(H.has(t) ? MASK : tokens.inputIds[i]);
          expect(b.labels.data[i]).toBe(H.has(t) ? tokens.inputIds[i] : -100);
          if (b.labels.data[i]! >= 0) predictions++;
        }
        expect(predictions).toBe(H.size);
        expect(b.hardRow.data[r]).toBe(1);
      }
      for (const r of [4, 5]) {
        expect(b.hardRow.data[r]).toBe(0);
        exactCountCheck(tokens, b, r, corpus.vocab);
      }
    }
  });

  it('validation batches always use random masking, even for blocks with a hard set', () => {
    const b = objective.prepare(tokens, key(3), 0, 'eval');
    for (let r = 0; r < tokens.rows; r++) {
      expect(b.hardRow.data[r]).toBe(0);
      exactCountCheck(tokens, b, r, corpus.vocab);
    }
  });

  it('seSingleHardTokenCompat: a single hard position stays predicted and goes the random-masking way', () => {
    const compat = selfEvolutionObjective({ encoder: config, vocab: corpus.vocab, hardPositions: hard, seSingleHardTokenCompat: true });
    let extra = 0;
    for (let seed = 0; seed < 8; seed++) {
      const b = compat.prepare(tokens, key(seed), 0, 'train');
      expect(b.hardRow.data[3]).toBe(0);
      expect(b.labels.data[3 * T + 2]).toBe(tokens.inputIds[3 * T + 2]);
      for (let t = 0; t < T; t++) if (t !== 2 && b.labels.data[3 * T + t]! >= 0) extra++;
    }
    expect(extra).toBeGreaterThan(0);
  });

  it('training batches need block ids; bad options are SelfEvolutionErrors naming the option', () => {
    const { blockIds: _, ...noIds } = tokens;
    expect(() => objective.prepare(noIds, key(1), 0, 'train')).toThrow(SelfEvolutionError);
    expect(() => selfEvolutionObjective({ encoder: config, vocab: corpus.vocab, hardPositions: hard, alpha: 1.5 })).toThrow(/alpha must be in \[0, 1\], got 1.5/);
    expect(() => selfEvolutionObjective({ encoder: config, vocab: corpus.vocab, hardPositions: hard, reference: 'teacher' as never })).toThrow(/reference/);
  });
});
