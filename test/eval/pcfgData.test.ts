import { describe, expect, it } from 'vitest';
import { sampleDownstreamSentences, sentenceAt, sentenceCount, taskLabel } from '../../corpora/pcfg/index.ts';
import { pcfgMlmPool, pcfgProbeData } from '../../eval/index.ts';
import { key } from '../../prng/key.ts';
import { tinyGrammar, tinySentences, tinyVocab } from './fixtures.ts';

describe('PCFG evaluation data', () => {
  const grammar = tinyGrammar(3);
  const vocab = tinyVocab(grammar);

  it('probe rows carry the task labels of their sentences', () => {
    const sentences = sampleDownstreamSentences(grammar, key(1), 12);
    const d = pcfgProbeData(grammar, vocab, 'B', sentences, 12);
    expect(d.rows).toBe(12);
    for (let s = 0; s < sentenceCount(sentences); s++) {
      expect(d.labels[s]).toBe(taskLabel(grammar, sentenceAt(sentences, s), 'B').label);
      expect(d.inputIds[s * 12]).toBe(vocab.specials.cls);
      expect(d.inputIds[s * 12 + 1]).toBe(vocab.idOf(grammar.terminals[sentenceAt(sentences, s)[0]!]!));
    }
  });

  it('pretraining pools have academic-budget BERT static masks: min(5, max(1, round(0.15 n))) predictions on words only', () => {
    const sentences = tinySentences(grammar, 30, 4);
    const L = 12;
    const pool = pcfgMlmPool(grammar, vocab, sentences, L);
    const labels = pool.labels.data;
    for (let r = 0; r < 30; r++) {
      const n = sentenceAt(sentences, r).length + 2;
      let predicted = 0;
      for (let t = 0; t < L; t++) {
        const y = labels[r * L + t]!;
        if (y < 0) continue;
        predicted++;
        expect(t).toBeGreaterThan(0);
        expect(t).toBeLessThan(n - 1);
        expect(y).toBe(vocab.idOf(grammar.terminals[sentenceAt(sentences, r)[t - 1]!]!));
      }
      expect(predicted).toBe(Math.min(5, Math.max(1, Math.round(0.15 * n))));
    }
    // static: the same seed gives the same masks
    expect(Array.from(pcfgMlmPool(grammar, vocab, sentences, L).inputIds.data)).toEqual(Array.from(pool.inputIds.data));
  });
});
