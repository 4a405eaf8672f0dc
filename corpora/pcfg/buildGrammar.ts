import { START_SYMBOL, type Grammar, type RuleSpec } from './grammar.ts';
import {
  EmptyGrammarError, MalformedRuleError, MissingStartSymbolError, RuleSumError, SymbolKindError,
  UnknownSymbolError, UnreachableSymbolError, UnsupportedRuleError,
} from './grammarErrors.ts';
import { formatNameList } from './nameList.ts';
import { unreachableNonterminals } from './reachability.ts';
import { compareStrings, labelOrder } from './symbolOrder.ts';

export interface BuildGrammarOptions {
  /** Names the source in error messages (a path, or `<generated>`). */
  readonly file?: string;
  /** Largest allowed |sum - 1| of one left-hand side's merged weights (default 1e-3; Infinity disables). */
  readonly tolerance?: number;
  /**
   * Nonterminals no derivation reaches (see reachability.ts): 'allow' (the default: the study's file
   * has one) or 'error' (an UnreachableSymbolError naming them; the CLI's --rules default).
   */
  readonly unreachable?: 'allow' | 'error';
}

/** What a rule is, by the file format's rule (spec 5b1). */
type RuleKind = 'start' | 'binary' | 'terminal';

interface MergedRule {
  readonly lhs: string;
  readonly rhs: readonly string[];
  readonly kind: RuleKind;
  weight: number;
  readonly lines: number[];
  readonly spec: RuleSpec;
}

/**
 * A unary right-hand side is a nonterminal iff the left-hand side starts with `S` (the study's
 * loader does this, so `S1 word 0.5` would read `word` as a nonterminal).
 */
const kindOf = (r: RuleSpec): RuleKind | 'unaryChain' =>
  r.rhs.length === 2 ? 'binary' : r.lhs.startsWith('S') ? (r.lhs === START_SYMBOL ? 'start' : 'unaryChain') : 'terminal';

/** Where a rule came from, for messages: `rules.txt:12` or `rules.txt (rule A1_0 -> A2_1 A2_3)`. */
function at(file: string, r: RuleSpec): string {
  return r.line !== undefined ? `${file}:${r.line}` : `${file} (rule ${r.lhs} -> ${r.rhs.join(' ')})`;
}

/** `3-5, 9` for lines [3, 4, 5, 9]. */
export function formatLineList(lines: readonly number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function mergeDuplicates(rules: readonly RuleSpec[], file: string): MergedRule[] {
  const merged = new Map<string, MergedRule>();
  for (const r of rules) {
    if (r.rhs.length !== 1 && r.rhs.length !== 2) {
      throw new MalformedRuleError(`${at(file, r)}: a rule has 1 or 2 right-hand-side symbols, got ${r.rhs.length}`, {
        file, line: r.line, lhs: r.lhs,
      });
    }
    if (!(Number.isFinite(r.weight) && r.weight >= 0)) {
      throw new MalformedRuleError(`${at(file, r)}: probability must be a finite number >= 0, got ${r.weight}`, {
        file, line: r.line, value: r.weight,
      });
    }
    const kind = kindOf(r);
    if (kind === 'unaryChain') {
      throw new UnsupportedRuleError(
        `${at(file, r)}: unary rule ${r.lhs} -> ${r.rhs[0]} between nonterminals; only the start symbol ${START_SYMBOL} ` +
          `may have unary nonterminal rules (a unary rule whose left side starts with 'S' reads its right side as a nonterminal)`,
        { file, line: r.line, symbol: r.lhs },
      );
    }
    if (kind === 'binary' && r.lhs === START_SYMBOL) {
      throw new UnsupportedRuleError(`${at(file, r)}: the start symbol ${START_SYMBOL} may only have unary rules S -> S_k`, {
        file, line: r.line, symbol: r.lhs,
      });
    }
    const id = `${r.lhs}\u0000${r.rhs.join('\u0000')}`;
    const m = merged.get(id);
    if (m) {
      m.weight += r.weight;
      if (r.line !== undefined) m.lines.push(r.line);
    } else {
      merged.set(id, { lhs: r.lhs, rhs: r.rhs, kind, weight: r.weight, lines: r.line !== undefined ? [r.line] : [], spec: r });
    }
  }
  return [...merged.values()];
}

function checkSymbols(rules: readonly MergedRule[], file: string): void {
  const lhsLine = new Map<string, RuleSpec>();
  const terminalLine = new Map<string, RuleSpec>();
  for (const r of rules) {
    if (!lhsLine.has(r.lhs)) lhsLine.set(r.lhs, r.spec);
    if (r.kind === 'terminal' && !terminalLine.has(r.rhs[0]!)) terminalLine.set(r.rhs[0]!, r.spec);
  }
  for (const r of rules) {
    if (r.kind === 'terminal') {
      const word = r.rhs[0]!;
      const asLhs = lhsLine.get(word);
      if (asLhs) {
        throw new SymbolKindError(
          `${at(file, r.spec)}: "${word}" is a terminal word here but also a nonterminal with rules (${at(file, asLhs)})`,
          { file, line: r.spec.line, symbol: word },
        );
      }
      continue;
    }
    for (const s of r.rhs) {
      if (s === START_SYMBOL) {
        throw new UnsupportedRuleError(`${at(file, r.spec)}: the start symbol ${START_SYMBOL} may not appear on a right-hand side`, {
          file, line: r.spec.line, symbol: s,
        });
      }
      if (lhsLine.has(s)) continue;
      const asTerminal = terminalLine.get(s);
      if (asTerminal) {
        throw new SymbolKindError(
          `${at(file, r.spec)}: "${s}" is used as a nonterminal here but is a terminal word elsewhere (${at(file, asTerminal)}) and has no rules`,
          { file, line: r.spec.line, symbol: s },
        );
      }
      throw new UnknownSymbolError(`${at(file, r.spec)}: unknown symbol "${s}": it is a nonterminal here but has no rules`, {
        file, line: r.spec.line, symbol: s,
      });
    }
  }
  if (!lhsLine.has(START_SYMBOL)) {
    throw new MissingStartSymbolError(`${file}: no rule for the start symbol ${START_SYMBOL} (start rules look like "S S1 0.27")`, {
      file, symbol: START_SYMBOL,
    });
  }
}

function checkSums(rules: readonly MergedRule[], file: string, tolerance: number): void {
  const sums = new Map<string, number>();
  const lines = new Map<string, number[]>();
  for (const r of rules) {
    sums.set(r.lhs, (sums.get(r.lhs) ?? 0) + r.weight);
    const l = lines.get(r.lhs) ?? [];
    l.push(...r.lines);
    lines.set(r.lhs, l);
  }
  for (const [lhs, sum] of sums) {
    if (sum > 0 && Math.abs(sum - 1) <= tolerance) continue;
    const where = lines.get(lhs)!.length ? `lines ${formatLineList(lines.get(lhs)!)}` : 'its rules';
    throw new RuleSumError(
      `${file}: the probabilities of ${lhs} sum to ${sum} (${where}), not within ${tolerance} of 1`,
      { file, symbol: lhs, sum, lines: lines.get(lhs) },
    );
  }
}

function checkReachable(g: Grammar, rules: readonly MergedRule[], file: string): void {
  const unreachable = unreachableNonterminals(g);
  if (unreachable.length === 0) return;
  const lines = new Map<string, number[]>();
  for (const r of rules) lines.set(r.lhs, [...(lines.get(r.lhs) ?? []), ...r.lines]);
  const named = unreachable.map((s) => {
    const at = lines.get(s)!;
    return at.length ? `${s} (line${at.length > 1 ? 's' : ''} ${formatLineList(at)})` : s;
  });
  const one = unreachable.length === 1;
  throw new UnreachableSymbolError(
    `${file}: ${unreachable.length} nonterminal${one ? ' is' : 's are'} unreachable from ${START_SYMBOL}: ${formatNameList(named)}. ` +
      `No sentence uses ${one ? 'it' : 'them'}, yet tasks B and C still rank ${one ? 'it' : 'them'}; ` +
      `to use the grammar as it is, pass --allow-unreachable`,
    { file, symbols: unreachable },
  );
}

/**
 * Builds a grammar from rules: merges duplicate (LHS, RHS) pairs by summing, classifies unary
 * right-hand sides (nonterminal iff the LHS starts with `S`), checks symbols and per-LHS sums,
 * and normalises; with `unreachable: 'error'`, also rejects nonterminals no derivation reaches.
 * Every problem is a typed GrammarError naming the file, line and symbol.
 */
export function buildGrammar(rules: readonly RuleSpec[], options: BuildGrammarOptions = {}): Grammar {
  const file = options.file ?? '<rules>';
  const tolerance = options.tolerance ?? 1e-3;
  if (rules.length === 0) throw new EmptyGrammarError(`${file}: the grammar has no rules`, { file });
  const merged = mergeDuplicates(rules, file);
  checkSymbols(merged, file);
  checkSums(merged, file, tolerance);

  const startRules = merged.filter((r) => r.kind === 'start');
  const startChildNames = new Set(startRules.map((r) => r.rhs[0]!));
  const nonterminals = labelOrder(
    [...new Set(merged.map((r) => r.lhs))].filter((s) => s !== START_SYMBOL),
    startChildNames,
  );
  const terminals = [...new Set(merged.filter((r) => r.kind === 'terminal').map((r) => r.rhs[0]!))].sort(compareStrings);
  const ntId = new Map(nonterminals.map((s, i) => [s, i]));
  const tId = new Map(terminals.map((s, i) => [s, i]));
  const N = nonterminals.length;

  const binaryByLhs: MergedRule[][] = Array.from({ length: N }, () => []);
  const emissionByLhs: MergedRule[][] = Array.from({ length: N }, () => []);
  for (const r of merged) {
    if (r.kind === 'binary') binaryByLhs[ntId.get(r.lhs)!]!.push(r);
    else if (r.kind === 'terminal') emissionByLhs[ntId.get(r.lhs)!]!.push(r);
  }
  for (const list of emissionByLhs) list.sort((a, b) => tId.get(a.rhs[0]!)! - tId.get(b.rhs[0]!)!);

  // Normalise by sums taken in the stored order (start rules; each nonterminal's binary then
  // terminal rules), not file order, so that a written and re-read grammar gets bit-identical
  // probabilities.
  const total = (list: readonly MergedRule[], from = 0): number => list.reduce((a, r) => a + r.weight, from);
  const startSum = total(startRules);
  const lhsSum = new Map(nonterminals.map((s, x) => [s, total(emissionByLhs[x]!, total(binaryByLhs[x]!))]));
  const binary = binaryByLhs.flat();
  const emission = emissionByLhs.flat();
  const offsets = (lists: MergedRule[][]): Int32Array => {
    const o = new Int32Array(N + 1);
    for (let x = 0; x < N; x++) o[x + 1] = o[x]! + lists[x]!.length;
    return o;
  };
  const probs = (list: MergedRule[]): Float64Array => Float64Array.from(list, (r) => r.weight / lhsSum.get(r.lhs)!);
  const g: Grammar = {
    start: START_SYMBOL,
    nonterminals,
    terminals,
    startChildren: Int32Array.from(startRules, (r) => ntId.get(r.rhs[0]!)!),
    startWeights: Float64Array.from(startRules, (r) => r.weight),
    startProbs: Float64Array.from(startRules, (r) => r.weight / startSum),
    binaryOffsets: offsets(binaryByLhs),
    binaryLeft: Int32Array.from(binary, (r) => ntId.get(r.rhs[0]!)!),
    binaryRight: Int32Array.from(binary, (r) => ntId.get(r.rhs[1]!)!),
    binaryWeights: Float64Array.from(binary, (r) => r.weight),
    binaryProbs: probs(binary),
    emissionOffsets: offsets(emissionByLhs),
    emissionTerminal: Int32Array.from(emission, (r) => tId.get(r.rhs[0]!)!),
    emissionWeights: Float64Array.from(emission, (r) => r.weight),
    emissionProbs: probs(emission),
  };
  if (options.unreachable === 'error') checkReachable(g, merged, file);
  return g;
}
