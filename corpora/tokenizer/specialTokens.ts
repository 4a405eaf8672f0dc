/** The special tokens every pretext vocabulary has, by role. */
export const SPECIAL_TOKENS = {
  pad: '[PAD]',
  unk: '[UNK]',
  cls: '[CLS]',
  sep: '[SEP]',
  mask: '[MASK]',
} as const;

export type SpecialRole = keyof typeof SPECIAL_TOKENS;

/** Order in which trained / word-level vocabularies list the specials: [PAD] is id 0. */
export const SPECIAL_ROLES: readonly SpecialRole[] = ['pad', 'unk', 'cls', 'sep', 'mask'];

/** Ids of the special tokens in one vocabulary. */
export type SpecialIds = { readonly [R in SpecialRole]: number };
