import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  conditionalCrossEntropies, ConditionalShapeError, encodeSentence, generateGrammar, insideChart, meanConditionalLoss,
  optimalSingleMaskLoss, Q_EPSILON, sampleSentences, scoreModelConditionals, addLossTotals, EMPTY_LOSS_TOTALS,
  sentenceAt, sentenceCount, sentenceLogProb, trueConditionals, type Grammar,
} from '../../../corpora/pcfg/index.ts';
import { key } from '../../../prng/index.ts';
import { bruteSentenceProb, toyWithSentence } from './toyGrammar.ts';

/** p*(. | x_{-i}) by brute force: P(x with x_i = v) for every word v from the inside chart, normalised. */
function replacementConditionals(g: Grammar, sentence: Int32Array, i: number): Float64Array {
  const logs = g.terminals.map((_, v) => {
    const x = sentence.slice();
    x[i] = v;
    return sentenceLogProb(insideChart(g, x));
  });
  const m = Math.max(...logs);
  const p = Float64Array.from(logs, (l) => Math.exp(l - m));
  const z = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / z);
}

const g = generateGrammar(key(21));
const batch = sampleSentences(g, key(22), 30);
const T = g.terminals.length;

describe('true conditionals p*', () => {
  it('sum to 1 and give the observed word positive probability (sampled sentences)', () => {
    for (let s = 0; s < sentenceCount(batch); s++) {
      const x = sentenceAt(batch, s);
      const { pStar, entropy, logProb } = trueConditionals(g, x);
      expect(Number.isFinite(logProb)).toBe(true);
      for (let i = 0; i < x.length; i++) {
        const row = pStar.subarray(i * T, (i + 1) * T);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        expect(row[x[i]!]!).toBeGreaterThan(0);
        const h = -row.reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0);
        expect(entropy[i]).toBeCloseTo(h, 12);
      }
    }
  });

  it('equal brute force (replace x_i by every word, inside, normalise) on a study-shaped grammar', () => {
    for (let s = 0; s < 5; s++) {
      const x = sentenceAt(batch, s);
      const { pStar } = trueConditionals(g, x);
      for (let i = 0; i < x.length; i++) {
        const brute = replacementConditionals(g, x, i);
        for (let v = 0; v < T; v++) expect(pStar[i * T + v]!).toBeCloseTo(brute[v]!, 12);
      }
    }
  });

  it('equal brute-force enumeration on toy grammars', () => {
    fc.assert(
      fc.property(toyWithSentence(5), ({ toy, words }) => {
        const tg = toy.grammar;
        fc.pre(bruteSentenceProb(toy, words) > 0);
        const { pStar } = trueConditionals(tg, encodeSentence(tg, words.join(' ')));
        const Tt = tg.terminals.length;
        for (let i = 0; i < words.length; i++) {
          const probs = tg.terminals.map((v) => bruteSentenceProb(toy, words.map((w, j) => (j === i ? v : w))));
          const z = probs.reduce((a, b) => a + b, 0);
          probs.forEach((p, v) => expect(pStar[i * Tt + v]!).toBeCloseTo(p / z, 12));
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('scoring model conditionals (the study loss)', () => {
  const x = sentenceAt(batch, 0);
  const { pStar, entropy } = trueConditionals(g, x);
  const optimal = entropy.reduce((a, b) => a + b, 0) / x.length;

  it('q = p* scores the optimal loss (up to |T| * 1e-12)', () => {
    const t = scoreModelConditionals(pStar, Float64Array.from(pStar), T);
    expect(t.positions).toBe(x.length);
    expect(Math.abs(meanConditionalLoss(t) - optimal)).toBeLessThanOrEqual(T * Q_EPSILON * 2);
  });

  it('any other distribution q scores at least the optimal loss (Gibbs), normalised or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: x.length * T, maxLength: x.length * T }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (raw, mass) => {
          // rows normalised to total mass <= 1 (the rest is "off the 200 words", as in a full-vocab softmax)
          const q = new Float32Array(raw.length);
          for (let i = 0; i < x.length; i++) {
            let z = 0;
            for (let v = 0; v < T; v++) z += raw[i * T + v]!;
            for (let v = 0; v < T; v++) q[i * T + v] = z > 0 ? (mass * raw[i * T + v]!) / z : mass / T;
          }
          const loss = meanConditionalLoss(scoreModelConditionals(pStar, q, T));
          expect(loss).toBeGreaterThanOrEqual(optimal - 1e-6);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('skips non-finite position losses and counts them; combines sentence totals', () => {
    const q = Float64Array.from(pStar);
    q[x[0]!] = Infinity; // p* > 0 there, so position 0's loss is -Infinity: skipped
    const t = scoreModelConditionals(pStar, q, T);
    expect(t.skipped).toBe(1);
    expect(t.positions).toBe(x.length - 1);
    const losses = conditionalCrossEntropies(pStar, Float64Array.from(pStar), T);
    expect(t.sum).toBeCloseTo(losses.slice(1).reduce((a, b) => a + b, 0), 12);
    const both = addLossTotals(addLossTotals(EMPTY_LOSS_TOTALS, t), t);
    expect(both).toEqual({ sum: 2 * t.sum, positions: 2 * t.positions, skipped: 2 });
  });

  it('rejects q of the wrong shape with a typed error naming the sizes', () => {
    expect(() => scoreModelConditionals(pStar, new Float32Array(pStar.length - 1), T)).toThrow(ConditionalShapeError);
    expect(() => scoreModelConditionals(pStar, new Float32Array(pStar.length - 1), T)).toThrow(/n x 200/);
  });
});

describe('optimal single-mask loss', () => {
  it('is the mean entropy over (sentence, position) pairs, with a positive standard error', () => {
    const est = optimalSingleMaskLoss(g, batch);
    let sum = 0;
    let n = 0;
    for (let s = 0; s < sentenceCount(batch); s++) {
      for (const h of trueConditionals(g, sentenceAt(batch, s)).entropy) {
        sum += h;
        n++;
      }
    }
    expect(est.positions).toBe(n);
    expect(est.sentences).toBe(sentenceCount(batch));
    expect(est.loss).toBeCloseTo(sum / n, 12);
    expect(est.loss).toBeLessThan(Math.log(T));
    expect(est.stdErr).toBeGreaterThan(0);
    expect(est.stdErr).toBeLessThan(0.5);
  });
});
