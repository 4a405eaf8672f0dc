/** Distribution of the hard share |H(d)| / n(d) over blocks (spec 1c recommends logging it). */
export interface HardTokenSummary {
  readonly blocks: number;
  /** Real (non-pad) tokens scored. */
  readonly tokens: number;
  readonly hardTokens: number;
  /** hardTokens / tokens. */
  readonly hardFraction: number;
  /** Mean |H(d)|. */
  readonly meanHardPerBlock: number;
  /** Blocks with an empty H (they get random masking in stage 2). */
  readonly emptyBlocks: number;
  /** Stage-1 `loss`: mean NLL over all real tokens, in bits (fairseq's unit). */
  readonly lossBits: number;
  /** Quantiles of |H|/n over blocks. */
  readonly ratioQuantiles: { readonly min: number; readonly p10: number; readonly p50: number; readonly p90: number; readonly max: number };
  /** Blocks per tenth of |H|/n: bin i counts ratios in [i/10, (i+1)/10) (ratio 1 in the last bin). */
  readonly ratioHistogram: readonly number[];
}

/** Accumulates per-block counts and NLL totals into a HardTokenSummary. */
export class HardTokenSummaryBuilder {
  private readonly ratios: number[] = [];
  private tokens = 0;
  private hard = 0;
  private nllSum = 0;

  addBlock(realTokens: number, hardTokens: number, nllSum: number): void {
    this.ratios.push(realTokens > 0 ? hardTokens / realTokens : 0);
    this.tokens += realTokens;
    this.hard += hardTokens;
    this.nllSum += nllSum;
  }

  build(): HardTokenSummary {
    const r = [...this.ratios].sort((a, b) => a - b);
    const q = (f: number) => (r.length ? r[Math.min(r.length - 1, Math.floor(f * (r.length - 1) + 0.5))]! : 0);
    const histogram = new Array<number>(10).fill(0);
    for (const x of r) histogram[Math.min(9, Math.floor(x * 10))]!++;
    return {
      blocks: r.length,
      tokens: this.tokens,
      hardTokens: this.hard,
      hardFraction: this.tokens ? this.hard / this.tokens : 0,
      meanHardPerBlock: r.length ? this.hard / r.length : 0,
      emptyBlocks: this.ratios.filter((x) => x === 0).length,
      lossBits: this.tokens ? this.nllSum / this.tokens / Math.LN2 : 0,
      ratioQuantiles: { min: q(0), p10: q(0.1), p50: q(0.5), p90: q(0.9), max: q(1) },
      ratioHistogram: histogram,
    };
  }
}
