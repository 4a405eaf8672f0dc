// Evaluation (spec 5b5-5b7): the single-mask loss against the true PCFG conditionals, the
// Hutchinson estimate of the Hessian trace, the linear probe, and arquero reports.
export { EvalError } from './errors.ts';
export { type HostMlmView, mlmViewOf, viewParams } from './mlmView.ts';
export { type SingleMaskRows, type SingleMaskSpecials, singleMaskRows } from './singleMaskRows.ts';
export { type MaskedProbsOptions, maskedWordProbs, maskedWordProbsOfRows } from './maskedConditionals.ts';
export {
  type ExcessLossResult, type ExcessLossSummary, type ExcessLossOptions, scoreConditionals, terminalTokenIds, sentencesToTokens, excessLoss,
} from './excessLoss.ts';
export {
  type HutchinsonOptions, type HutchinsonResult, type MlmPool, type MlmHessianOptions, quadraticForm, hutchinsonTrace, poolRows,
  mlmHessianTrace, excludeMlmDecoderBias,
} from './hessianTrace.ts';
export {
  type ProbeData, type LinearProbeOptions, type ProbeEpoch, type ProbeParams, type LinearProbeResult, probeData, probeFeatures, linearProbe,
} from './linearProbe.ts';
export {
  type MetricRow, METRICS, METRIC_COLUMNS, metricsTable, excessLossRows, hessianRows, probeRows, metricsByRun, markdownTable, writeTable,
} from './report.ts';
export { type CheckpointMlm, resolveCheckpointDir, checkpointVocab, checkpointGrammar, loadCheckpointMlm } from './checkpointModel.ts';
export { pcfgProbeData, pcfgMlmPool, pcfgTokenRows, BUDGET_MASKING } from './pcfgData.ts';
export { electraRtdPool, discriminatorHessianTrace } from './electraHessian.ts';
export { type CheckpointHessianOptions, checkpointHessianTrace } from './checkpointHessian.ts';
export * from './checkpointEncoder.ts';
