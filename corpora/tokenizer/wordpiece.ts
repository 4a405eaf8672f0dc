/**
 * Greedy longest-match-first WordPiece (BERT): split a word into the longest vocabulary prefix,
 * then the longest `##`-prefixed continuation, and so on. A word with no complete split, or
 * longer than maxCharsPerWord code points, becomes the single unknown token.
 */
export interface WordPieceSplitOptions {
  readonly maxCharsPerWord: number;
  readonly continuationPrefix: string;
  readonly unkToken: string;
}

export function wordpieceSplit(word: string, has: (token: string) => boolean, options: WordPieceSplitOptions): string[] {
  const chars = Array.from(word);
  if (chars.length > options.maxCharsPerWord) return [options.unkToken];
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let found: string | undefined;
    while (start < end) {
      const sub = (start > 0 ? options.continuationPrefix : '') + chars.slice(start, end).join('');
      if (has(sub)) {
        found = sub;
        break;
      }
      end--;
    }
    if (found === undefined) return [options.unkToken];
    pieces.push(found);
    start = end;
  }
  return pieces;
}
