/**
 * Orders of symbols used across the PCFG code.
 *
 * - Nonterminals are indexed in the *label order* of spec 5b4: first the start symbol's children
 *   (S1..S9), then every other nonterminal (A1_0..A1_9, A2_0, ..., A4_9), each group in natural
 *   order (digit runs compare as numbers, so A1_2 < A1_10). Task-label ties resolve to the first
 *   symbol in this order.
 * - Terminals are sorted by plain string comparison (UTF-16 code units; for lowercase ASCII words
 *   this is Python's `sorted`), which is also the word order of the conditional vectors.
 * - Task B/C class indices use the plain string-sorted list of all left-hand sides, start included.
 */

const DIGIT_RUNS = /(\d+)/;

/** Natural comparison: `A1_2` < `A1_10`; falls back to plain comparison on equal keys. */
export function compareNatural(a: string, b: string): number {
  if (a === b) return 0;
  const pa = a.split(DIGIT_RUNS);
  const pb = b.split(DIGIT_RUNS);
  const m = Math.min(pa.length, pb.length);
  for (let i = 0; i < m; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (i % 2 === 1) {
      // digit runs (odd positions of a split with a capture group)
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return compareStrings(x, y);
  }
  return pa.length - pb.length || compareStrings(a, b);
}

/** Plain string comparison by UTF-16 code units (what `Array.prototype.sort` does by default). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Nonterminal index order: the start symbol's children first, then the rest, each naturally sorted. */
export function labelOrder(nonterminals: Iterable<string>, startChildren: ReadonlySet<string>): string[] {
  const first: string[] = [];
  const rest: string[] = [];
  for (const s of nonterminals) (startChildren.has(s) ? first : rest).push(s);
  return [...first.sort(compareNatural), ...rest.sort(compareNatural)];
}
