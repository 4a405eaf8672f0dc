import { STUDY_SCALE_ENV } from '../../study/load.ts';
import type { StudyResults } from '../../study/runStudy.ts';
import { CliError } from '../options.ts';

export const scaleUsage = `  --scale S            the setting of a study written per scale, defineStudy(({ scale }) => ...) (default quick)`;

/** Runs `fn` with the study's scale in the environment, which the study's worker processes inherit (they load the file again). */
export async function withStudyScale<T>(scale: string | undefined, fn: () => Promise<T>): Promise<T> {
  const before = process.env[STUDY_SCALE_ENV];
  if (scale !== undefined) process.env[STUDY_SCALE_ENV] = scale;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env[STUDY_SCALE_ENV];
    else process.env[STUDY_SCALE_ENV] = before;
  }
}

/** The one positional argument of `study run` / `study report`: the study file. */
export function studyFileArgument(positionals: readonly string[], verb: string): string {
  if (positionals.length !== 1) throw new CliError(`study ${verb}: give one study file (pretext study ${verb} FILE.ts), got ${positionals.length}`, { positionals });
  return positionals[0]!;
}

/** What a study command says when it is done: where the results are, and what is missing. */
export function studySummary(r: StudyResults): string {
  const done = r.plan.runs.length - r.missing.length;
  return [
    `study ${r.plan.study.name}: ${done}/${r.plan.runs.length} runs finished${r.missing.length ? ` (missing: ${r.missing.join(', ')})` : ''}`,
    `results: ${r.files.csv}, ${r.files.json}`,
    `report: ${r.report.markdown} (figures beside it; open ${r.report.html})`,
  ].join('\n');
}
