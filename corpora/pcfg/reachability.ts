import type { Grammar } from './grammar.ts';

/**
 * The nonterminals no derivation from the start symbol reaches (through start rules and binary
 * rules of positive weight), in label order. They never occur in a sentence, yet they still have inside
 * probabilities, so tasks B and C rank them. The study's own rule file has one (A1_9: its nine
 * start pairs S_k -> A1_a A1_b miss it), and so do most generated grammars of its shape.
 */
export function unreachableNonterminals(g: Grammar): string[] {
  const reached = new Uint8Array(g.nonterminals.length);
  const stack = Array.from(g.startChildren).filter((_, k) => g.startWeights[k]! > 0);
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (reached[x]) continue;
    reached[x] = 1;
    for (let r = g.binaryOffsets[x]!; r < g.binaryOffsets[x + 1]!; r++) {
      if (g.binaryWeights[r]! > 0) stack.push(g.binaryLeft[r]!, g.binaryRight[r]!);
    }
  }
  return g.nonterminals.filter((_, x) => !reached[x]);
}
