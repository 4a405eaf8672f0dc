import { PretextError } from '../../util/errors.ts';

/** Base of vocabulary and tokenizer errors. */
export class TokenizerError extends PretextError {}

/** A vocabulary (or vocab.txt) is malformed; context names the file, line and token at fault. */
export class VocabError extends TokenizerError {}

/** A required special token ([PAD], [UNK], [CLS], [SEP], [MASK]) is missing from a vocabulary. */
export class MissingSpecialTokenError extends VocabError {}

/** The same token appears twice in a vocabulary. */
export class DuplicateTokenError extends VocabError {}

/** Vocabulary training cannot meet its options (e.g. a target size below specials + alphabet). */
export class VocabTrainingError extends TokenizerError {}
