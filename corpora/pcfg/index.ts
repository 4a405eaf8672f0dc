// PCFG testbed of "Same Pre-training Loss, Better Downstream" (spec 5): grammars and rule files,
// random grammars, sentence sampling, inside/outside/Viterbi charts, downstream task labels, the
// true MLM conditionals and the optimal loss. Pure functions over typed arrays.
export { START_SYMBOL, nonterminalId, terminalId, binaryRuleCount, emissionRuleCount } from './grammar.ts';
export type { Grammar, RuleSpec } from './grammar.ts';
export {
  GrammarError, MalformedRuleError, UnknownSymbolError, SymbolKindError, MissingStartSymbolError,
  EmptyGrammarError, RuleSumError, UnsupportedRuleError, UnreachableSymbolError, GrammarVocabError, GrammarConfigError,
  GrammarReadError,
} from './grammarErrors.ts';
export { buildGrammar, formatLineList } from './buildGrammar.ts';
export type { BuildGrammarOptions } from './buildGrammar.ts';
export { parseRuleLines, parseRuleText, readGrammarFile } from './readRuleFile.ts';
export { formatRuleText, writeGrammarFile } from './writeRuleFile.ts';
export { unreachableNonterminals } from './reachability.ts';
export { rawWeightGrammar } from './rawWeights.ts';
export { terminalTokenIds } from './terminalTokenIds.ts';
export { compareNatural, compareStrings, labelOrder } from './symbolOrder.ts';
export { emissionMatrix } from './emissionMatrix.ts';
export { generateGrammar, DEFAULT_GRAMMAR_SHAPE } from './generateGrammar.ts';
export type { GrammarShape } from './generateGrammar.ts';
export { pseudoWords } from './pseudoWords.ts';
export { BitStream } from './bitStream.ts';
export { SentenceSampler, sampleSentences, SamplingError } from './sentenceSampler.ts';
export { SPLIT_STREAMS, pcfgSentenceRows } from './sentenceRows.ts';
export type { SamplingOptions } from './sentenceSampler.ts';
export { sentenceCount, sentenceAt, sentenceWords, sentenceText, batchTexts, batchFromSentences } from './sentenceBatch.ts';
export type { SentenceBatch } from './sentenceBatch.ts';
export { encodeSentence, SentenceError, UnknownWordError } from './encodeSentence.ts';
export { chartTables } from './chartTables.ts';
export type { ChartTables } from './chartTables.ts';
export { ChartWorkspace, WorkspaceMismatchError } from './chartWorkspace.ts';
export { insideChart, insideLogValue, insideScaledValue, sentenceLogProb, cellIndex } from './insideChart.ts';
export type { InsideChart } from './insideChart.ts';
export { outsideChart, outsideLogValue, outsideScaledValue } from './outsideChart.ts';
export type { OutsideChart } from './outsideChart.ts';
export { viterbiParse } from './viterbiParse.ts';
export type { ViterbiParse } from './viterbiParse.ts';
export { formatTree, parseTree, treeYield, treeLogProb, DerivationError } from './derivationTree.ts';
export type { DerivationTree } from './derivationTree.ts';
export { taskLabel, labelFromChart, taskClassNames, TASK_NAMES, TASK_SPAN, TaskSpanError } from './taskLabels.ts';
export type { TaskName, TaskLabel } from './taskLabels.ts';
export {
  DOWNSTREAM_LENGTH, isDownstreamLength, sampleDownstreamSentences, taskRows, csvField, formatTaskCsv, writeTaskCsv,
} from './downstreamTasks.ts';
export type { TaskRow } from './downstreamTasks.ts';
export { trueConditionals } from './trueConditionals.ts';
export type { SentenceConditionals, ConditionalsBuffers } from './trueConditionals.ts';
export { optimalSingleMaskLoss, ratioEstimate } from './optimalLoss.ts';
export type { OptimalLossEstimate } from './optimalLoss.ts';
export {
  Q_EPSILON, ConditionalShapeError, conditionalCrossEntropies, scoreModelConditionals, addLossTotals,
  meanConditionalLoss, EMPTY_LOSS_TOTALS,
} from './modelConditionalLoss.ts';
export type { ConditionalLossTotals } from './modelConditionalLoss.ts';
export { corpusStats } from './corpusStats.ts';
export type { CorpusStats, TaskStats } from './corpusStats.ts';
