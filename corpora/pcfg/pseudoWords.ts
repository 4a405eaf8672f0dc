import type { Key } from '../../prng/index.ts';
import { BitStream } from './bitStream.ts';
import { GrammarConfigError } from './grammarErrors.ts';
import { compareStrings } from './symbolOrder.ts';

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'ch', 'sh', 'br', 'tr'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];
const CODAS = ['n', 'r', 's', 'l', 'm'];

/**
 * `count` distinct pronounceable lowercase pseudo-words (2 or 3 consonant-vowel syllables, some
 * closed by n/r/s/l/m: "bakito", "trelum"), deterministic from the key, sorted. They are single
 * tokens (letters only) and can never collide with nonterminal names (which hold capitals and digits).
 */
export function pseudoWords(k: Key, count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
    throw new GrammarConfigError(`pseudoWords: count must be an integer in [1, 1e6], got ${count}`, { value: count });
  }
  const bits = new BitStream(k);
  const pick = (xs: readonly string[]): string => xs[bits.nextInt(xs.length)]!;
  const words = new Set<string>();
  while (words.size < count) {
    const syllables = 2 + (bits.nextBits() & 1);
    let w = '';
    for (let s = 0; s < syllables; s++) {
      w += pick(ONSETS) + pick(VOWELS);
      if ((bits.nextBits() & 3) === 0) w += pick(CODAS);
    }
    words.add(w);
  }
  return [...words].sort(compareStrings);
}
