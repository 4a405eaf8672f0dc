import type { StudyResults } from '../../study/runStudy.ts';
import { CliError } from '../options.ts';

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
