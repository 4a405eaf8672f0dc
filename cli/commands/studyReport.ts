import * as t from 'io-ts';
import { loadStudy } from '../../study/load.ts';
import { planStudy } from '../../study/plan.ts';
import { DEFAULT_STUDY_OUT, studyResults } from '../../study/runStudy.ts';
import type { Command } from '../command.ts';
import { decodeOrThrow } from '../options.ts';
import { scaleUsage, studyFileArgument, studySummary } from './studyShared.ts';

/** `pretext study report FILE.ts`: rewrites a study's results and report from its folder, training and evaluating nothing. */
export const studyReportCommand: Command = {
  path: ['study', 'report'],
  summary: "re-render a study's results table, figures and report (no training)",
  options: { out: { type: 'string' }, scale: { type: 'string' } },
  usage: `  pretext study report FILE.ts [--out DIR] [--scale S]
  --out DIR            the --out of \`study run\` (default ${DEFAULT_STUDY_OUT})
${scaleUsage}
Reads the finished runs' logs and cached evaluations; runs that have not finished are listed as missing.`,
  async run(values, positionals) {
    const f = decodeOrThrow(t.partial({ out: t.string, scale: t.string }), values, 'study report');
    const loaded = await loadStudy(studyFileArgument(positionals, 'report'), f.scale);
    const results = await studyResults(planStudy(loaded.study, loaded.baseDir, f.out ?? DEFAULT_STUDY_OUT));
    console.error(studySummary(results));
    return 0;
  },
};
