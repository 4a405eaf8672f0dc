import { join } from 'node:path';
import type * as aq from 'arquero';
import { latestCheckpoint } from '../models/checkpoint/index.ts';
import { prepareCorpora } from './corpus.ts';
import { storedRows } from './executeRun.ts';
import type { LoadedStudy } from './load.ts';
import { type StudyPlan, planStudy } from './plan.ts';
import { StudyProgress } from './progress.ts';
import { renderReport, type RenderedReport } from './report/render.ts';
import { resultsTable, writeResults } from './results.ts';
import { readJsonIfPresent, runFiles, writeJson } from './runFiles.ts';
import { runLocally, type LocalRunResult } from './runner.ts';
import type { StudyRow } from './runRows.ts';

/** Where a study's results are written: <out>/<name>/ (runs/, results.csv/json, report.md, figures, index.html). */
export const DEFAULT_STUDY_OUT = 'studies-out';

export interface StudyResults {
  readonly plan: StudyPlan;
  readonly table: aq.ColumnTable;
  readonly files: { readonly csv: string; readonly json: string };
  readonly report: RenderedReport;
  /** Runs without results yet (not finished). */
  readonly missing: readonly string[];
}

/** Writes plan.json: every run's id, label and config (what the study folder's runs/ are). */
function writePlan(plan: StudyPlan): void {
  writeJson(join(plan.dir, 'plan.json'), { study: plan.study.name, runs: plan.runs.map((r) => ({ id: r.id, label: r.label, steps: r.steps, config: r.config })) });
}

/**
 * Results of the finished runs (cached evaluations only: nothing is trained or evaluated), written
 * and rendered. `returned`: rows the runs' jobs returned (from a queue), read instead of their folders.
 */
export async function studyResults(plan: StudyPlan, returned?: ReadonlyMap<string, readonly StudyRow[]>): Promise<StudyResults> {
  const rows: StudyRow[] = [];
  const missing: string[] = [];
  for (const r of plan.runs) {
    const got = returned?.get(r.id) ?? storedRows(r.id, r.runDir, plan.study.evaluate ?? []);
    if (got) rows.push(...got);
    else missing.push(r.id);
  }
  const table = resultsTable(plan.runs, rows);
  const files = writeResults(plan.dir, table);
  const report = await renderReport(plan, table);
  return { plan, table, files, report, missing };
}

export interface StudyRunOptions {
  readonly out: string;
  readonly parallel: number;
  readonly progress: boolean;
  readonly signal?: AbortSignal;
  /** Runs the plan's runs instead of the local runner (the queue: study/queue/coordinator.ts). */
  readonly execute?: (plan: StudyPlan, progress: StudyProgress) => Promise<LocalRunResult>;
}

/** `pretext study run`: generates missing corpora, plans, trains and evaluates what is not done yet, then writes the results and report. */
export async function runStudy(loaded: LoadedStudy, o: StudyRunOptions): Promise<{ results: StudyResults; run: LocalRunResult }> {
  await prepareCorpora(loaded.study, loaded.baseDir, (l) => console.error(l));
  const plan = planStudy(loaded.study, loaded.baseDir, o.out);
  writePlan(plan);
  const remaining = new Map(plan.runs.map((r) => {
    const files = runFiles(r.runDir);
    if (readJsonIfPresent(files.done)) return [r.id, 0];
    const ck = latestCheckpoint(files.train);
    const at = ck ? Number(/step-(\d+)$/.exec(ck)?.[1] ?? 0) : 0;
    return [r.id, r.steps - at];
  }));
  const progress = new StudyProgress(plan.runs.length, remaining, undefined, o.progress && process.stderr.isTTY === true);
  const run = o.execute
    ? await o.execute(plan, progress)
    : await runLocally(plan.runs, { parallel: o.parallel, studyFile: loaded.file, evaluations: loaded.study.evaluate ?? [], progress, ...(o.signal ? { signal: o.signal } : {}) });
  const returned = new Map(run.outcomes.filter((x) => x.status === 'done').map((x) => [x.id, x.rows]));
  return { results: await studyResults(plan, returned), run };
}
