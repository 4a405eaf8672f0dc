/**
 * Sentences of 2 words (S1: two A's, each x or y with probability 1/2) or 6 words (S2: six E's,
 * x with 0.9). The length tells the derivation, so every position of a 2-word sentence has
 * p* = (1/2, 1/2), entropy ln 2, and every position of a 6-word one has entropy h(0.9). Only the
 * 6-word sentences pass the downstream filter 4 < length < 32.
 */
export const TWO_LENGTHS = `S S1 0.5
S S2 0.5
S1 A A 1
S2 B C 1
B E E 1
C D D 1
D E E 1
A x 0.5
A y 0.5
E x 0.9
E y 0.1
`;
/** h(0.9) in nats: the entropy of every position of a 6-word sentence. */
export const H09 = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1));
