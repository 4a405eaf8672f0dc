import { join } from 'node:path';
import * as t from 'io-ts';
import { loadStudy } from '../../study/load.ts';
import { planStudy } from '../../study/plan.ts';
import { writeSlurmScript } from '../../study/queue/slurm.ts';
import { DEFAULT_STUDY_OUT } from '../../study/runStudy.ts';
import type { Command } from '../command.ts';
import { CliError, IntFromString, decodeOrThrow } from '../options.ts';
import { scaleUsage, studyFileArgument } from './studyShared.ts';

const Flags = t.partial({ out: t.string, script: t.string, partition: t.string, time: t.string, cpus: IntFromString, mem: t.string, scale: t.string });

/** `pretext study slurm FILE.ts`: an sbatch array script for a study's runs, and the commands that submit and collect it. */
export const studySlurmCommand: Command = {
  path: ['study', 'slurm'],
  summary: "write a Slurm job-array script for a study's runs (task i runs run i), print how to submit and collect",
  options: { out: { type: 'string' }, script: { type: 'string' }, partition: { type: 'string' }, time: { type: 'string' }, cpus: { type: 'string' }, mem: { type: 'string' }, scale: { type: 'string' } },
  usage: `  pretext study slurm FILE.ts [--out DIR] [--script FILE] [--partition P] [--time T] [--cpus N] [--mem M] [--scale S]
  --out DIR            the study's results folder, as for \`study run\` (default ${DEFAULT_STUDY_OUT});
                       it must be on a filesystem every node sees at the same path
  --script FILE        where the sbatch script goes (default DIR/<study name>/slurm.sh)
  --partition P, --time T, --cpus N, --mem M    #SBATCH --partition, --time, --cpus-per-task, --mem
${scaleUsage}
Runs that start from another run's checkpoint go in a later array, submitted after the earlier one
succeeded. When the arrays have finished, \`pretext study report FILE.ts --out DIR\` collects the results.`,
  async run(values, positionals) {
    const f = decodeOrThrow(Flags, values, 'study slurm');
    if (f.cpus === 0) throw new CliError('--cpus must be at least 1, got 0', { flag: 'cpus' });
    const file = studyFileArgument(positionals, 'slurm');
    const loaded = await loadStudy(file, f.scale);
    const out = f.out ?? DEFAULT_STUDY_OUT;
    const plan = planStudy(loaded.study, loaded.baseDir, out);
    const written = writeSlurmScript(plan, {
      studyFile: loaded.file, out, ...(loaded.scale !== undefined ? { scale: loaded.scale } : {}), script: f.script ?? join(plan.dir, 'slurm.sh'),
      ...(f.partition !== undefined ? { partition: f.partition } : {}), ...(f.time !== undefined ? { time: f.time } : {}),
      ...(f.cpus !== undefined ? { cpus: f.cpus } : {}), ...(f.mem !== undefined ? { mem: f.mem } : {}),
    });
    console.log(`wrote ${written.script} (${plan.runs.length} array tasks)`);
    console.log(`submit:\n  ${written.submit.join('\n  ')}`);
    console.log(`when it has finished, collect the results:\n  ${written.collect}`);
    return 0;
  },
};
