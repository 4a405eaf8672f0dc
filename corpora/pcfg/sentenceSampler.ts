import { foldIn, type Key } from '../../prng/index.ts';
import { BitStream } from './bitStream.ts';
import type { Grammar } from './grammar.ts';
import { GrammarError } from './grammarErrors.ts';
import type { SentenceBatch } from './sentenceBatch.ts';

/** The sampler's options are out of range, or it cannot find an in-range sentence. */
export class SamplingError extends GrammarError {}

export interface SamplingOptions {
  /** Shortest sentence kept (default 1). */
  readonly minLength?: number;
  /** Longest sentence kept (default 31: the study keeps sentences of fewer than 32 words). */
  readonly maxLength?: number;
  /** Derivations tried per sentence before giving up with a SamplingError (default 10000). */
  readonly maxAttempts?: number;
}

const NO_TERMINAL = -1;

/**
 * Top-down, leftmost-first sampling of sentences (spec 5b2), reproducible and fast.
 *
 * Sentence `index` is drawn from its own stream `foldIn(key, index)`, so any range of indices
 * can be generated independently (shards in parallel) and gives the same sentences. Each
 * nonterminal picks a production by inverting its cumulative distribution with one uniform
 * (24-bit, as prng's `uniform`), found through a guide table in about two comparisons. A derivation whose length leaves [minLength, maxLength] is
 * rejected and the next derivation is drawn from the same stream: the sentence is a draw from the
 * grammar conditioned on the length range. A derivation is abandoned as soon as its emitted words
 * plus pending nonterminals (each yields at least one word) exceed maxLength, so grammars with
 * unbounded (even infinite expected) length are safe.
 */
export class SentenceSampler {
  readonly minLength: number;
  readonly maxLength: number;
  readonly maxAttempts: number;
  private readonly key: Key;
  private readonly bits: BitStream;
  private readonly stack: Int32Array;
  // productions of nonterminal X: prodOffsets[X] .. ; cumulative probability, left (or -1 - word), right
  private readonly prodOffsets: Int32Array;
  private readonly prodCum: Float64Array;
  private readonly prodLeft: Int32Array;
  private readonly prodRight: Int32Array;
  // guide table (Chen & Asau's "indexed search"): for bucket b of X's K productions, the first
  // production whose cumulative probability exceeds b / K; a search starts there (about 1-2 steps)
  private readonly prodGuide: Int32Array;
  private readonly startCum: Float64Array;
  private readonly startChild: Int32Array;
  private readonly startGuide: Int32Array;

  constructor(g: Grammar, k: Key, options: SamplingOptions = {}) {
    this.minLength = options.minLength ?? 1;
    this.maxLength = options.maxLength ?? 31;
    this.maxAttempts = options.maxAttempts ?? 10_000;
    if (!Number.isInteger(this.minLength) || !Number.isInteger(this.maxLength) || this.minLength < 1 || this.maxLength < this.minLength) {
      throw new SamplingError(`sampling: need integers 1 <= minLength <= maxLength, got [${this.minLength}, ${this.maxLength}]`, {
        minLength: this.minLength, maxLength: this.maxLength,
      });
    }
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new SamplingError(`sampling: maxAttempts must be a positive integer, got ${this.maxAttempts}`, { maxAttempts: this.maxAttempts });
    }
    this.key = k;
    this.bits = new BitStream(k);
    this.stack = new Int32Array(this.maxLength + 2);

    const N = g.nonterminals.length;
    const offsets = new Int32Array(N + 1);
    const cum: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    for (let x = 0; x < N; x++) {
      let acc = 0;
      const add = (p: number, l: number, r: number): void => {
        if (!(p > 0)) return; // never pick a zero-probability production
        acc += p;
        cum.push(acc);
        left.push(l);
        right.push(r);
      };
      for (let r = g.binaryOffsets[x]!; r < g.binaryOffsets[x + 1]!; r++) add(g.binaryProbs[r]!, g.binaryLeft[r]!, g.binaryRight[r]!);
      for (let r = g.emissionOffsets[x]!; r < g.emissionOffsets[x + 1]!; r++) add(g.emissionProbs[r]!, NO_TERMINAL - g.emissionTerminal[r]!, 0);
      offsets[x + 1] = cum.length;
      if (cum.length > offsets[x]!) cum[cum.length - 1] = Infinity; // rounding: the last production takes the rest
    }
    this.prodOffsets = offsets;
    this.prodCum = Float64Array.from(cum);
    this.prodGuide = new Int32Array(cum.length);
    for (let x = 0; x < N; x++) SentenceSampler.fillGuide(this.prodCum, offsets[x]!, offsets[x + 1]!, this.prodGuide);
    this.prodLeft = Int32Array.from(left);
    this.prodRight = Int32Array.from(right);
    const startCum: number[] = [];
    const startChild: number[] = [];
    let acc = 0;
    for (let k2 = 0; k2 < g.startChildren.length; k2++) {
      if (!(g.startProbs[k2]! > 0)) continue;
      acc += g.startProbs[k2]!;
      startCum.push(acc);
      startChild.push(g.startChildren[k2]!);
    }
    if (startCum.length) startCum[startCum.length - 1] = Infinity;
    this.startCum = Float64Array.from(startCum);
    this.startChild = Int32Array.from(startChild);
    this.startGuide = new Int32Array(startCum.length);
    SentenceSampler.fillGuide(this.startCum, 0, startCum.length, this.startGuide);
  }

  /** guide[lo + b] = first r in [lo, hi) with cum[r] > b / (hi - lo). */
  private static fillGuide(cum: Float64Array, lo: number, hi: number, guide: Int32Array): void {
    const K = hi - lo;
    let r = lo;
    for (let b = 0; b < K; b++) {
      while (cum[r]! <= b / K) r++;
      guide[lo + b] = r;
    }
  }

  /** First index r in [lo, hi) with cum[r] > u (inversion of the cumulative distribution). */
  private static search(cum: Float64Array, guide: Int32Array, lo: number, hi: number, u: number): number {
    let r = guide[lo + Math.floor(u * (hi - lo))]!;
    while (cum[r]! <= u) r++; // cum[hi - 1] is Infinity
    return r;
  }

  /** One derivation into out[offset ..]; its length, or -1 when it left the length range. */
  private derive(out: Int32Array, offset: number): number {
    const { bits, stack, prodOffsets, prodCum, prodGuide, prodLeft, prodRight, maxLength } = this;
    if (this.startCum.length === 0) return -1;
    stack[0] = this.startChild[SentenceSampler.search(this.startCum, this.startGuide, 0, this.startCum.length, bits.nextUniform())]!;
    let top = 1;
    let len = 0;
    while (top > 0) {
      const x = stack[--top]!;
      const lo = prodOffsets[x]!;
      const hi = prodOffsets[x + 1]!;
      if (lo === hi) return -1; // a nonterminal with no usable production
      const r = SentenceSampler.search(prodCum, prodGuide, lo, hi, bits.nextUniform());
      const l = prodLeft[r]!;
      if (l < 0) {
        out[offset + len++] = NO_TERMINAL - l;
      } else {
        if (len + top + 2 > maxLength) return -1;
        stack[top++] = prodRight[r]!;
        stack[top++] = l; // leftmost first
      }
    }
    return len >= this.minLength ? len : -1;
  }

  /**
   * Samples sentence `index` into out[offset .. offset + length) and returns its length
   * (out needs maxLength free slots from offset).
   */
  sampleInto(index: number, out: Int32Array, offset: number): number {
    this.bits.reset(foldIn(this.key, index));
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const len = this.derive(out, offset);
      if (len >= 0) return len;
    }
    throw new SamplingError(
      `sampling: no sentence with length in [${this.minLength}, ${this.maxLength}] after ${this.maxAttempts} derivations (sentence ${index}); ` +
        `the grammar may not generate such lengths`,
      { index, minLength: this.minLength, maxLength: this.maxLength },
    );
  }
}

/**
 * Sentences first .. first + count - 1 of the stream of `key` (see SentenceSampler), as a compact
 * batch of terminal ids.
 */
export function sampleSentences(g: Grammar, k: Key, count: number, options: SamplingOptions & { readonly first?: number } = {}): SentenceBatch {
  const first = options.first ?? 0;
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(first) || first < 0 || first + count > 2 ** 32) {
    throw new SamplingError(`sampleSentences: need integers count >= 0, first >= 0, first + count <= 2^32; got count ${count}, first ${first}`, {
      count, first,
    });
  }
  const sampler = new SentenceSampler(g, k, options);
  let tokens = new Int32Array(Math.max(16, count * Math.min(sampler.maxLength, 12)));
  const offsets = new Int32Array(count + 1);
  for (let s = 0; s < count; s++) {
    const at = offsets[s]!;
    if (at + sampler.maxLength > tokens.length) {
      const grown = new Int32Array(Math.max(2 * tokens.length, at + sampler.maxLength));
      grown.set(tokens.subarray(0, at));
      tokens = grown;
    }
    offsets[s + 1] = at + sampler.sampleInto(first + s, tokens, at);
  }
  return { tokens: tokens.slice(0, offsets[count]!), offsets };
}
