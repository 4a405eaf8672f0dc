/**
 * BERT's "basic" tokenization, before WordPiece: clean control characters, put spaces around CJK
 * ideographs, split on whitespace, optionally lowercase and strip accents (NFD, drop combining
 * marks), then split every punctuation character into its own token.
 */
export interface BasicTokenizerOptions {
  /** Lowercase the text (default true, as bert-*-uncased). */
  readonly lowercase?: boolean;
  /** Strip accents; defaults to the value of `lowercase` (BERT's rule). */
  readonly stripAccents?: boolean;
  /** Surround CJK ideographs with spaces (default true). */
  readonly splitCjk?: boolean;
}

// Unicode punctuation plus the ASCII symbol ranges BERT also treats as punctuation ($, +, <, ^, `...).
const PUNCTUATION = /^[\p{P}\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/u;
const CONTROL = /^[\p{Cc}\p{Cf}]$/u;
const SPACE = /^[\s\p{Zs}]$/u;
const COMBINING_MARK = /\p{Mn}/gu;

export const isPunctuation = (ch: string): boolean => PUNCTUATION.test(ch);
const isControl = (ch: string): boolean => ch !== '\t' && ch !== '\n' && ch !== '\r' && CONTROL.test(ch);
const isWhitespace = (ch: string): boolean => SPACE.test(ch);

function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Drops NUL, U+FFFD and control characters, maps every whitespace character to ' ', spaces CJK. */
function cleanText(text: string, splitCjk: boolean): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
    if (isWhitespace(ch)) out += ' ';
    else if (splitCjk && isCjk(cp)) out += ` ${ch} `;
    else out += ch;
  }
  return out;
}

function splitPunctuation(word: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of word) {
    if (isPunctuation(ch)) {
      if (current) out.push(current);
      out.push(ch);
      current = '';
    } else current += ch;
  }
  if (current) out.push(current);
  return out;
}

/** Normalises one whitespace-free word (case, accents); exported for vocabulary checks. */
export function normalizeWord(word: string, options: BasicTokenizerOptions = {}): string {
  const lowercase = options.lowercase ?? true;
  const stripAccents = options.stripAccents ?? lowercase;
  let w = lowercase ? word.toLowerCase() : word;
  if (stripAccents) w = w.normalize('NFD').replace(COMBINING_MARK, '');
  return w;
}

/** The basic tokens of a text (see the module comment). */
export function basicTokenize(text: string, options: BasicTokenizerOptions = {}): string[] {
  const out: string[] = [];
  for (const word of cleanText(text, options.splitCjk ?? true).split(' ')) {
    if (word === '') continue;
    for (const piece of splitPunctuation(normalizeWord(word, options))) out.push(piece);
  }
  return out;
}
