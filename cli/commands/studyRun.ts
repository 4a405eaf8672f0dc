import * as t from 'io-ts';
import { DEFAULT_STUDY_OUT, type StudyRunOptions, runStudy } from '../../study/runStudy.ts';
import { loadStudy } from '../../study/load.ts';
import { connectRedis } from '../../study/queue/connection.ts';
import { runOnQueue } from '../../study/queue/coordinator.ts';
import { parseRedisUrl } from '../../study/queue/redisUrl.ts';
import type { Command } from '../command.ts';
import { CliError, IntFromString, decodeOrThrow } from '../options.ts';
import { scaleUsage, studyFileArgument, studySummary, withStudyScale } from './studyShared.ts';

const Flags = t.partial({ out: t.string, parallel: IntFromString, 'no-progress': t.boolean, scale: t.string, queue: t.string });

/** `pretext study run FILE.ts`: trains and evaluates a study's runs (what is not done yet), then writes its results and report. */
export const studyRunCommand: Command = {
  path: ['study', 'run'],
  summary: 'run a study file (a sweep in TypeScript): train, evaluate, write results and report',
  options: { out: { type: 'string' }, parallel: { type: 'string' }, 'no-progress': { type: 'boolean' }, scale: { type: 'string' }, queue: { type: 'string' } },
  usage: `  pretext study run FILE.ts [--out DIR] [--parallel N | --queue redis://HOST:PORT[/DB]] [--scale S]
  FILE.ts              a study: export default defineStudy({ name, base, runs, evaluate, report })
  --out DIR            results go to DIR/<study name>/ (default ${DEFAULT_STUDY_OUT})
  --parallel N         N worker processes (default 1: in this process)
  --queue URL          put the runs on a BullMQ queue in that Redis and wait for \`pretext study worker\`s
                       (any machines that see --out at the same path); Ctrl-C stops waiting only
${scaleUsage}
  --no-progress        no progress display
A run's id is a hash of its resolved config: finished runs are skipped, interrupted ones resume from
their checkpoints, and a changed config value reruns only the runs it changes. Ctrl-C stops every run
after its current update (a checkpoint is written) and exits 130; run the command again to resume.`,
  async run(values, positionals) {
    const f = decodeOrThrow(Flags, values, 'study run');
    const file = studyFileArgument(positionals, 'run');
    const parallel = f.parallel ?? 1;
    if (parallel < 1) throw new CliError(`--parallel must be at least 1, got ${parallel}`, { flag: 'parallel' });
    if (f.queue !== undefined && f.parallel !== undefined) throw new CliError('--parallel and --queue: give one (each worker sets its own --concurrency)', { flag: 'parallel' });
    const target = f.queue !== undefined ? parseRedisUrl(f.queue) : undefined;
    const loaded = await loadStudy(file, f.scale);
    const log = (line: string) => console.error(line);
    const link = target && (await connectRedis(target, { log }));
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.on('SIGINT', onSigint);
    try {
      const options = {
        out: f.out ?? DEFAULT_STUDY_OUT, parallel, progress: !(f['no-progress'] ?? false), signal: stop.signal,
        ...(link ? { execute: (plan, progress) => runOnQueue(plan, { link, studyFile: loaded.file, ...(loaded.scale !== undefined ? { scale: loaded.scale } : {}), evaluations: loaded.study.evaluate ?? [], progress, signal: stop.signal, log }) } satisfies Pick<StudyRunOptions, 'execute'> : {}),
      };
      const { results, run } = await withStudyScale(loaded.scale, () => runStudy(loaded, options));
      for (const x of run.failed) console.error(`run ${x.id} failed: ${x.message}`);
      console.error(studySummary(results));
      if (run.interrupted) {
        console.error(link ? 'stopped waiting: the queued runs go on on the workers; run the same command again to collect them' : 'interrupted: run the same command again to resume');
        return 130;
      }
      return run.failed.length > 0 ? 1 : 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
      await link?.close();
    }
  },
};
