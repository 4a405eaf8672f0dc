import { foldIn, type Key } from '../../prng/index.ts';
import { BitStream } from './bitStream.ts';
import { buildGrammar } from './buildGrammar.ts';
import { START_SYMBOL, type Grammar, type RuleSpec } from './grammar.ts';
import { GrammarConfigError } from './grammarErrors.ts';
import { pseudoWords } from './pseudoWords.ts';

/**
 * Shape of a random grammar. The defaults reproduce the structure of the study's grammar
 * (spec 5b1): S -> S_k (9 start rules), S_k -> A1_a A1_b, levels A1..A3 of 10 nonterminals with
 * 20 binary rules into the next level plus one terminal rule, level A4 of 10 preterminals with
 * 100 terminal-rule draws plus one distinguished terminal rule, 200 words.
 */
export interface GrammarShape {
  /** Start rules S -> S_k (and so nonterminals S_1..S_k). */
  readonly startRules: number;
  /** Levels A1..A_levels; the last level holds the preterminals. */
  readonly levels: number;
  readonly nonterminalsPerLevel: number;
  /** Binary rules drawn per nonterminal of the inner levels (duplicates merged, so ~18 distinct at 20). */
  readonly binaryRulesPerNonterminal: number;
  /** Terminal rules drawn per preterminal (words with replacement, duplicates merged: ~79 distinct at 100 of 200). */
  readonly preterminalRules: number;
  readonly terminals: number;
  /** Range of the probability t of the distinguished terminal rule of each A-level nonterminal. */
  readonly terminalRuleProb: { readonly min: number; readonly max: number };
}

export const DEFAULT_GRAMMAR_SHAPE: GrammarShape = {
  startRules: 9,
  levels: 4,
  nonterminalsPerLevel: 10,
  binaryRulesPerNonterminal: 20,
  preterminalRules: 100,
  terminals: 200,
  terminalRuleProb: { min: 0.04, max: 0.42 },
};

function checkShape(s: GrammarShape): void {
  const ints: [keyof GrammarShape, number][] = [
    ['startRules', 1], ['levels', 1], ['nonterminalsPerLevel', 1], ['binaryRulesPerNonterminal', 1],
    ['preterminalRules', 1], ['terminals', 1],
  ];
  for (const [name, min] of ints) {
    const v = s[name] as number;
    if (!Number.isInteger(v) || v < min) {
      throw new GrammarConfigError(`generateGrammar: ${name} must be an integer >= ${min}, got ${v}`, { field: name, value: v });
    }
  }
  const { min, max } = s.terminalRuleProb;
  if (!(min > 0 && min <= max && max < 1)) {
    throw new GrammarConfigError(`generateGrammar: terminalRuleProb needs 0 < min <= max < 1, got [${min}, ${max}]`, {
      field: 'terminalRuleProb', value: { min, max },
    });
  }
}

const levelName = (level: number, j: number): string => `A${level}_${j}`;

/** Weights U(0,1) scaled to sum to `total` (the spec's suggested stand-in for the unknown original recipe). */
function uniformWeights(bits: BitStream, n: number, total: number): number[] {
  const w = Array.from({ length: n }, () => bits.nextUniform());
  const sum = w.reduce((a, b) => a + b, 0);
  return sum > 0 ? w.map((x) => (x / sum) * total) : w.map(() => total / n);
}

/**
 * A random grammar with the study's structure, reproducible from the key.
 *
 * Choices (the original recipe is not published, spec 5b1):
 * - every nonterminal of levels A1..A4 has one distinguished terminal rule (a uniform word) of
 *   probability t; its other rules (binary into the next level, or for preterminals the
 *   `preterminalRules` word draws) share 1 - t with weights U(0,1). This is the pattern of the
 *   original file: there the A4 preterminals also carry one terminal rule of probability
 *   0.09..0.26 next to 100 small ones. The start prior is U(0,1) normalised.
 * - children are uniform over the next level (pairs drawn with replacement; duplicates merge when
 *   the grammar is built); preterminal words uniform with replacement, like the original's ~80
 *   distinct of 100.
 * - t = min + (max - min) u^1.5 (u uniform; range 0.04..0.42 like the original's A1..A3 terminal
 *   rules, mean 0.19; their mean is 0.17). Over 30 grammars this gives a
 *   mean sentence length of 10.6 (9.4..12.3 per grammar; the original's is 10.7) and lengths
 *   2..16; t uniform gives 9.7, t = min + (max - min) u^2 gives 11.2. Plain U(0,1) weights over
 *   all 21 rules would give t ~ 0.05 and sentences of nearly always 16 words. With the
 *   distinguished preterminal rule the optimal single-mask loss of generated grammars is about
 *   4.2..4.6 nats (original 4.45).
 * - any word no rule uses gets one extra terminal rule at a random preterminal, so the grammar
 *   has exactly `terminals` words.
 * The expected length is finite for any shape: the levels are acyclic, so the longest
 * sentence has 2 * 2^(levels - 1) words.
 */
export function generateGrammar(k: Key, shape: Partial<GrammarShape> = {}): Grammar {
  const s: GrammarShape = { ...DEFAULT_GRAMMAR_SHAPE, ...shape };
  checkShape(s);
  const words = pseudoWords(foldIn(k, 0), s.terminals);
  const rules: RuleSpec[] = [];
  const used = new Uint8Array(words.length);
  const level = s.levels;
  const width = s.nonterminalsPerLevel;

  const startBits = new BitStream(foldIn(k, 1));
  const prior = uniformWeights(startBits, s.startRules, 1);
  for (let i = 1; i <= s.startRules; i++) rules.push({ lhs: START_SYMBOL, rhs: [`S${i}`], weight: prior[i - 1]! });
  for (let i = 1; i <= s.startRules; i++) {
    rules.push({ lhs: `S${i}`, rhs: [levelName(1, startBits.nextInt(width)), levelName(1, startBits.nextInt(width))], weight: 1 });
  }

  const { min, max } = s.terminalRuleProb;
  for (let l = 1; l <= level; l++) {
    const bits = new BitStream(foldIn(k, 10 + l));
    for (let j = 0; j < width; j++) {
      const lhs = levelName(l, j);
      if (l < level) {
        const u = bits.nextUniform();
        const t = min + (max - min) * u ** 1.5;
        const w = uniformWeights(bits, s.binaryRulesPerNonterminal, 1 - t);
        for (const weight of w) {
          rules.push({ lhs, rhs: [levelName(l + 1, bits.nextInt(width)), levelName(l + 1, bits.nextInt(width))], weight });
        }
        const word = bits.nextInt(words.length);
        used[word] = 1;
        rules.push({ lhs, rhs: [words[word]!], weight: t });
      } else {
        const u = bits.nextUniform();
        const t = min + (max - min) * u ** 1.5;
        const w = uniformWeights(bits, s.preterminalRules, 1 - t);
        for (const weight of w) {
          const word = bits.nextInt(words.length);
          used[word] = 1;
          rules.push({ lhs, rhs: [words[word]!], weight });
        }
        const word = bits.nextInt(words.length);
        used[word] = 1;
        rules.push({ lhs, rhs: [words[word]!], weight: t });
      }
    }
  }
  addMissingWords(rules, words, used, foldIn(k, 2), level, width, s.preterminalRules);
  return buildGrammar(rules, { file: '<generated>' });
}

/** Gives every unused word a rule at a random preterminal, then renormalises those preterminals. */
function addMissingWords(
  rules: RuleSpec[], words: readonly string[], used: Uint8Array, k: Key, level: number, width: number, drawn: number,
): void {
  const bits = new BitStream(k);
  const touched = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    if (used[i]) continue;
    const lhs = levelName(level, bits.nextInt(width));
    touched.add(lhs);
    // the scale of the other preterminal weights (U(0,1) over `drawn` draws summing to 1)
    rules.push({ lhs, rhs: [words[i]!], weight: (2 * bits.nextUniform()) / drawn });
  }
  for (const lhs of touched) {
    const mine = rules.filter((r) => r.lhs === lhs);
    const sum = mine.reduce((a, r) => a + r.weight, 0);
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.lhs === lhs) rules[i] = { ...r, weight: r.weight / sum };
    }
  }
}
