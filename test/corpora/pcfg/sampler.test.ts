import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BitStream, ChartWorkspace, generateGrammar, insideChart, parseRuleText, sampleSentences, SamplingError, SentenceSampler,
  sentenceAt, sentenceCount, sentenceLogProb, sentenceText, batchTexts, batchFromSentences,
} from '../../../corpora/pcfg/index.ts';
import { key, randomBits } from '../../../prng/index.ts';

const g = generateGrammar(key(51));

describe('sentence sampling', () => {
  it('is reproducible, and any index range gives the same sentences as the full run', () => {
    const a = sampleSentences(g, key(52), 50);
    expect(sampleSentences(g, key(52), 50)).toEqual(a);
    const part = sampleSentences(g, key(52), 20, { first: 30 });
    for (let s = 0; s < 20; s++) expect(sentenceAt(part, s)).toEqual(sentenceAt(a, 30 + s));
    expect(batchTexts(g, sampleSentences(g, key(53), 50))).not.toEqual(batchTexts(g, a));
  });

  it('keeps lengths within the limits, emits only terminal ids, and every sentence has P(x) > 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 6 }), fc.nat(1000), (min, extra, seed) => {
        const max = min + extra;
        const b = sampleSentences(g, key(seed), 30, { minLength: min, maxLength: max });
        const ws = new ChartWorkspace(g.nonterminals.length);
        expect(sentenceCount(b)).toBe(30);
        for (let s = 0; s < 30; s++) {
          const x = sentenceAt(b, s);
          expect(x.length).toBeGreaterThanOrEqual(min);
          expect(x.length).toBeLessThanOrEqual(max);
          for (const id of x) expect(id >= 0 && id < g.terminals.length).toBe(true);
          expect(sentenceLogProb(insideChart(g, x, ws))).toBeGreaterThan(-Infinity);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('draws sentences with their grammar probability (toy grammar, exact P(x) from inside)', () => {
    const toy = parseRuleText('S X 1\nX X X 0.3\nX a 0.5\nX b 0.2\n');
    const maxLength = 3;
    const count = 20000;
    const b = sampleSentences(toy, key(54), count, { maxLength });
    const seen = new Map<string, number>();
    for (let s = 0; s < count; s++) {
      const t = sentenceText(toy, sentenceAt(b, s));
      seen.set(t, (seen.get(t) ?? 0) + 1);
    }
    // all sentences of length <= 3 and their probabilities, conditioned on the length limit
    const all: string[][] = [[]];
    const sentences: string[][] = [];
    for (let len = 1; len <= maxLength; len++) {
      const next = all.splice(0).flatMap((p) => ['a', 'b'].map((w) => [...p, w]));
      all.push(...next);
      sentences.push(...next);
    }
    const probs = sentences.map((w) => Math.exp(sentenceLogProb(insideChart(toy, Int32Array.from(w, (x) => (x === 'a' ? 0 : 1))))));
    const z = probs.reduce((a, c) => a + c, 0);
    sentences.forEach((w, i) => {
      const p = probs[i]! / z;
      const observed = (seen.get(w.join(' ')) ?? 0) / count;
      expect(Math.abs(observed - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / count) + 1e-9);
    });
  });

  it('picks among many productions with their probabilities (one-word sentences, 60 words)', () => {
    const weights = Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? 0 : 1 + ((i * 37) % 11)));
    const total = weights.reduce((a, b) => a + b, 0);
    const text = ['S X 1', ...weights.map((w, i) => `X w${String(i).padStart(2, '0')} ${w / total}`)].join('\n');
    const toy = parseRuleText(text);
    const count = 30000;
    const b = sampleSentences(toy, key(56), count);
    const seen = new Float64Array(toy.terminals.length);
    for (const id of b.tokens) seen[id]!++;
    toy.terminals.forEach((w, id) => {
      const p = weights[Number(w.slice(1))]! / total;
      expect(Math.abs(seen[id]! / count - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / count) + 1e-12);
    });
  });

  it('fails with a typed error when no sentence fits the limits', () => {
    expect(() => sampleSentences(g, key(1), 1, { minLength: 17, maxLength: 20, maxAttempts: 200 })).toThrow(SamplingError);
    expect(() => sampleSentences(g, key(1), 1, { minLength: 17, maxLength: 20, maxAttempts: 200 })).toThrow(/\[17, 20\] after 200/);
    expect(() => new SentenceSampler(g, key(1), { minLength: 5, maxLength: 4 })).toThrow(/minLength <= maxLength/);
  });

  it('the bit stream reads the same words as prng randomBits', () => {
    const s = new BitStream(key(9));
    const ref = randomBits(key(9), 41);
    expect(Array.from({ length: 41 }, () => s.nextBits())).toEqual(Array.from(ref));
  });

  it('batches round-trip through batchFromSentences', () => {
    const b = sampleSentences(g, key(55), 10);
    expect(batchFromSentences(Array.from({ length: 10 }, (_, s) => sentenceAt(b, s)))).toEqual(b);
  });
});
