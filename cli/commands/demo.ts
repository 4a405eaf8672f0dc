import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as t from 'io-ts';
import { loadStudy } from '../../study/load.ts';
import { byGroup, finalValues } from '../../study/report/finals.ts';
import { formatMeanStd } from '../../study/report/stats.ts';
import { runStudy, type StudyResults } from '../../study/runStudy.ts';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import type { Command } from '../command.ts';
import { decodeOrThrow } from '../options.ts';
import { withStudyScale } from './studyShared.ts';

const Flags = t.partial({ out: t.string, study: t.string, scale: t.string, quiet: t.boolean });

/** The main job's study: the objectives comparison (studies/objectives.ts) at its `start` scale. */
export const DEMO_STUDY = fileURLToPath(new URL('../../studies/objectives.ts', import.meta.url));
export const DEMO_SCALE = 'start';

/** Metrics the demo's table compares: pretraining quality, downstream accuracy, time. */
const isComparable = (metric: string) => metric === 'excess_loss' || /^(probe|finetune)[A-C]_best_accuracy$/.test(metric) || metric === 'train_seconds';

/**
 * results.md of a study, beside its figures: one row per group of runs (an objective, its seeds
 * averaged) with the comparable columns only: excess loss, downstream accuracy, training seconds.
 */
export function writeDemoResults(r: StudyResults): { file: string; markdown: string } {
  const metrics = [...new Set((r.table.objects() as { metric: string }[]).map((row) => row.metric))].filter(isComparable).sort((a, b) => Number(a === 'train_seconds') - Number(b === 'train_seconds'));
  const columns = metrics.map((m) => byGroup(finalValues(r.table, m)));
  const groups = [...new Map(r.plan.runs.map((run) => [run.group, run.job.objectiveName])).entries()];
  const header = ['objective', 'runs', ...metrics];
  const rows = groups.map(([group, objective]) => [objective, String(r.plan.runs.filter((run) => run.group === group).length), ...columns.map((c) => formatMeanStd(c.get(group) ?? []))]);
  const notes = [
    `Study ${r.plan.study.name}: ${r.plan.runs.length - r.missing.length}/${r.plan.runs.length} runs finished${r.missing.length ? ` (not yet: ${r.missing.join(', ')}; run the same command again to resume)` : ''}.`,
    'excess_loss: single-mask loss minus the optimum against the true PCFG conditionals (nats; spec 5b5; electra: its generator\'s); *_best_accuracy: validation accuracy of a linear probe / fine-tuning on the PCFG task; train_seconds: training wall time (machine-dependent). Mean ± std over seeds.',
    `Figures: figures/ beside this file; all results in report.md, index.html, results.csv.`,
  ];
  const markdown = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`), '', ...notes, ''].join('\n');
  const file = join(r.plan.dir, 'results.md');
  writeFileAtomic(file, markdown);
  return { file, markdown };
}

/**
 * `pretext demo` (npm start): the main job on built-in defaults, the objectives study
 * (studies/objectives.ts) at its `start` scale: MLM, ELECTRA, TACO, ScTD at equal training FLOPs
 * and SE continuing the MLM run, on a generated PCFG corpus; excess loss, probe and fine-tune
 * accuracy, time. Ctrl-C stops it (exit 130) with the running run checkpointed; the same command
 * resumes (the study runner's run ids and folders).
 */
export const demoCommand: Command = {
  path: ['demo'],
  summary: 'the main job: the objectives study (MLM, ELECTRA, TACO, ScTD, SE at equal FLOPs) -> results.md and figures',
  options: { out: { type: 'string' }, study: { type: 'string' }, scale: { type: 'string' }, quiet: { type: 'boolean' } },
  usage: `  --out DIR            where the study folder goes (default runs/demo: runs/demo/objectives-start/)
  --study FILE         another study file to run the same way (default studies/objectives.ts)
  --scale S            its scale (default ${DEMO_SCALE} for studies/objectives.ts; quick and full are the study's own)
  --quiet              no progress display
Writes results.md (excess loss, downstream accuracy, time per objective) with figures/ beside it, and the
study's report.md / index.html. A rerun resumes: finished runs are kept, interrupted ones continue.`,
  async run(values) {
    const f = decodeOrThrow(Flags, values, 'demo');
    const loaded = await loadStudy(f.study ?? DEMO_STUDY, f.scale ?? (f.study === undefined ? DEMO_SCALE : undefined));
    const t0 = performance.now();
    // Ctrl-C stops every run after its current update (a checkpoint is written)
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.on('SIGINT', onSigint);
    try {
      const options = { out: f.out ?? 'runs/demo', parallel: 1, progress: !f.quiet, signal: stop.signal };
      const { results, run } = await withStudyScale(loaded.scale, () => runStudy(loaded, options));
      for (const x of run.failed) console.error(`run ${x.id} failed: ${x.message}`);
      const { file, markdown } = writeDemoResults(results);
      console.log(markdown);
      console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s; results in ${file}; figures in ${join(results.plan.dir, 'figures')}/ (open ${results.report.html})`);
      if (run.interrupted) {
        console.error('interrupted: run the same command again to resume');
        return 130;
      }
      return run.failed.length > 0 ? 1 : 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};
