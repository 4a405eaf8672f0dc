import { DuplicateTokenError, MissingSpecialTokenError, VocabError } from './errors.ts';
import { SPECIAL_ROLES, SPECIAL_TOKENS, type SpecialIds } from './specialTokens.ts';

/**
 * A vocabulary: token strings by id (id = position) and the reverse map. Immutable. Always holds
 * the five special tokens (see SPECIAL_TOKENS); `specials` gives their ids.
 */
export interface Vocab {
  readonly tokens: readonly string[];
  readonly size: number;
  readonly specials: SpecialIds;
  /** Where the vocabulary came from (a file path, or a description); used in error messages. */
  readonly source: string;
  idOf(token: string): number | undefined;
  tokenOf(id: number): string;
}

/** The ids of all five specials, e.g. as the default "never mask" set. */
export function specialIdSet(vocab: Vocab): ReadonlySet<number> {
  return new Set(SPECIAL_ROLES.map((r) => vocab.specials[r]));
}

/**
 * Builds a vocabulary from tokens in id order. Throws DuplicateTokenError (naming both 1-based
 * lines, as in vocab.txt), MissingSpecialTokenError (naming the missing token), VocabError for an
 * empty token.
 */
export function createVocab(tokens: readonly string[], source = '<vocab>'): Vocab {
  const ids = new Map<string, number>();
  tokens.forEach((t, id) => {
    if (t === '' || /\s/u.test(t)) {
      throw new VocabError(`${source}:${id + 1}: token ${JSON.stringify(t)} is empty or contains whitespace`, {
        file: source,
        line: id + 1,
        token: t,
      });
    }
    const first = ids.get(t);
    if (first !== undefined) {
      throw new DuplicateTokenError(`${source}:${id + 1}: duplicate token ${JSON.stringify(t)} (first on line ${first + 1})`, {
        file: source,
        line: id + 1,
        firstLine: first + 1,
        token: t,
      });
    }
    ids.set(t, id);
  });
  const specials = {} as { -readonly [K in keyof SpecialIds]: number };
  for (const role of SPECIAL_ROLES) {
    const id = ids.get(SPECIAL_TOKENS[role]);
    if (id === undefined) {
      throw new MissingSpecialTokenError(`${source}: vocabulary lacks the required special token ${SPECIAL_TOKENS[role]}`, {
        file: source,
        token: SPECIAL_TOKENS[role],
      });
    }
    specials[role] = id;
  }
  const frozen = Object.freeze([...tokens]);
  return {
    tokens: frozen,
    size: frozen.length,
    specials: Object.freeze(specials),
    source,
    idOf: (token) => ids.get(token),
    tokenOf: (id) => {
      const t = frozen[id];
      if (t === undefined) throw new VocabError(`${source}: token id ${id} out of range [0, ${frozen.length})`, { file: source, id });
      return t;
    },
  };
}
