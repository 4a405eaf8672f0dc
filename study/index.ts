// Studies: sweeps scripted in TypeScript. A study file does
//   import { defineStudy, grid } from 'pretext/study';
//   export default defineStudy({ name, base, runs: grid({...}), evaluate: [...], report: [...] });
// and `pretext study run FILE.ts` trains, evaluates and reports it (see README.md here).
export { defineStudy, byScale, type Study, type StudyDefinition, type StudyContext, type StudyFactory } from './defineStudy.ts';
export type { PcfgCorpusRecipe } from './corpus.ts';
export { type RunConfig, grid, zip, concat, product } from './runList.ts';
export type { Budget } from './budget.ts';
export { type Evaluation, type EvalContext, type EvalOutput, evaluation } from './evaluation.ts';
export { type ExcessLossOptions, type HessianTraceOptions, type DownstreamOptions, excessLoss, hessianTrace, probe, finetune } from './evaluations.ts';
export { type ReportItem, table, curves, compute, scatter, bars } from './report/items.ts';
export { type StudyRow } from './runRows.ts';
export { type RunJob, type RunOutcome, executeRun } from './executeRun.ts';
export { planStudy } from './plan.ts';
export { StudyError } from './errors.ts';
