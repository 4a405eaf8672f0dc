import { PretextError } from '../../util/errors.ts';

/**
 * Errors about a PCFG and its rule file. `context.file` names the file (or `<generated>` /
 * `<rules>` for grammars built in memory); `context.line` is the 1-based line where one applies.
 */
export class GrammarError extends PretextError {}

/** A line is not `LHS RHS prob` / `LHS RHS1 RHS2 prob`, or its probability is not a finite number >= 0. */
export class MalformedRuleError extends GrammarError {}

/** A right-hand-side nonterminal has no rules of its own. */
export class UnknownSymbolError extends GrammarError {}

/** A nonterminal that no derivation from the start symbol reaches (when the reader is asked to reject them). */
export class UnreachableSymbolError extends GrammarError {}

/** A symbol is used both as a terminal word and as a nonterminal. */
export class SymbolKindError extends GrammarError {}

/** No rule rewrites the start symbol. */
export class MissingStartSymbolError extends GrammarError {}

/** The file holds no rule at all (zero bytes or blank lines only). */
export class EmptyGrammarError extends GrammarError {}

/** The probabilities of one left-hand side do not sum to 1 within the tolerance. */
export class RuleSumError extends GrammarError {}

/**
 * A rule the charts cannot handle: a unary rule between nonterminals other than the start rules,
 * a binary start rule, or the start symbol on a right-hand side.
 */
export class UnsupportedRuleError extends GrammarError {}

/** Grammar words that are not single whole tokens of a vocabulary (`context.file` names the vocabulary). */
export class GrammarVocabError extends GrammarError {}

/** Options of the random grammar generator are out of range. */
export class GrammarConfigError extends GrammarError {}

/** The rule file cannot be read (missing, a directory, no permission). */
export class GrammarReadError extends GrammarError {}
