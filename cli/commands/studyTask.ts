import * as t from 'io-ts';
import { executeRun } from '../../study/executeRun.ts';
import { loadStudy } from '../../study/load.ts';
import { planStudy } from '../../study/plan.ts';
import { slurmTaskOrder } from '../../study/queue/slurm.ts';
import { asJob } from '../../study/runner.ts';
import { DEFAULT_STUDY_OUT } from '../../study/runStudy.ts';
import type { Command } from '../command.ts';
import { CliError, IntFromString, decodeOrThrow } from '../options.ts';
import { scaleUsage, studyFileArgument } from './studyShared.ts';

const Flags = t.intersection([t.type({ index: IntFromString }), t.partial({ out: t.string, scale: t.string })]);

/** `pretext study task FILE.ts --index I`: one run of a study (a Slurm array task), through the runner's job function. */
export const studyTaskCommand: Command = {
  path: ['study', 'task'],
  summary: 'train and evaluate run I of a study (what a Slurm array task of `study slurm` runs)',
  options: { index: { type: 'string' }, out: { type: 'string' }, scale: { type: 'string' } },
  usage: `  pretext study task FILE.ts --index I [--out DIR] [--scale S]
  --index I            the run: 0 .. runs-1, in the order \`pretext study slurm\` numbers them
  --out DIR            the study's --out (default ${DEFAULT_STUDY_OUT})
${scaleUsage}
A finished run is not trained again; an interrupted one resumes from its checkpoint. SIGTERM (Slurm's
time limit) or Ctrl-C stops it after the current update with a checkpoint (exit 130).`,
  async run(values, positionals) {
    const f = decodeOrThrow(Flags, values, 'study task');
    const loaded = await loadStudy(studyFileArgument(positionals, 'task'), f.scale);
    const runs = slurmTaskOrder(planStudy(loaded.study, loaded.baseDir, f.out ?? DEFAULT_STUDY_OUT));
    const run = runs[f.index];
    if (!run) throw new CliError(`--index ${f.index}: study ${loaded.study.name} has runs 0..${runs.length - 1}`, { flag: 'index', value: f.index });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      console.error(`task ${f.index}: run ${run.id} (${run.label})`);
      const outcome = await executeRun(asJob(run), { evaluations: loaded.study.evaluate ?? [], signal: stop.signal, log: (line) => console.error(line) });
      if (outcome.status === 'interrupted') {
        console.error(`run ${run.id} stopped at its checkpoint: run the task again to resume`);
        return 130;
      }
      console.error(`run ${run.id} finished: ${outcome.runDir}`);
      return 0;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  },
};
