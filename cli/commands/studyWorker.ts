import * as t from 'io-ts';
import { connectRedis } from '../../study/queue/connection.ts';
import { runQueueWorker } from '../../study/queue/queueWorker.ts';
import { parseRedisUrl } from '../../study/queue/redisUrl.ts';
import { checkStudyFolder } from '../../study/queue/studyFolder.ts';
import type { Command } from '../command.ts';
import { CliError, IntFromString, NumberFromString, decodeOrThrow } from '../options.ts';

const Flags = t.intersection([t.type({ queue: t.string }), t.partial({ concurrency: IntFromString, 'lock-seconds': NumberFromString, 'study-folder': t.string })]);

/** `pretext study worker --queue URL`: runs study runs from a BullMQ queue on Redis until stopped. */
export const studyWorkerCommand: Command = {
  path: ['study', 'worker'],
  summary: 'take study runs from a Redis queue (study run --queue) and run them, until Ctrl-C',
  options: { queue: { type: 'string' }, concurrency: { type: 'string' }, 'lock-seconds': { type: 'string' }, 'study-folder': { type: 'string' } },
  usage: `  pretext study worker --queue redis://HOST:PORT[/DB] [--concurrency N] [--lock-seconds S] [--study-folder DIR]
  --queue URL          the Redis server \`pretext study run FILE.ts --queue URL\` puts runs on
  --concurrency N      runs at a time, each in its own process (default 1)
  --lock-seconds S     a worker silent this long (died, machine lost) loses its run to another
                       worker, which resumes it from its last checkpoint (default 30)
  --study-folder DIR   check at start that this machine sees and can write DIR (<out>/<study name>)
Run folders, the study file and the corpus must be at the same paths on every machine (a shared
filesystem); each job checks that it sees its study folder. A run that fails by its own fault (bad
config, divergence) fails once; other errors are retried. Ctrl-C stops the runs at their current
update (a checkpoint is written) and puts them back on the queue.`,
  async run(values) {
    const f = decodeOrThrow(Flags, values, 'study worker');
    const target = parseRedisUrl(f.queue);
    const concurrency = f.concurrency ?? 1;
    if (concurrency < 1) throw new CliError(`--concurrency must be at least 1, got ${concurrency}`, { flag: 'concurrency' });
    const lockSeconds = f['lock-seconds'] ?? 30;
    if (!(lockSeconds >= 1)) throw new CliError(`--lock-seconds must be at least 1, got ${lockSeconds}`, { flag: 'lock-seconds' });
    if (f['study-folder'] !== undefined) checkStudyFolder(f['study-folder']);
    const log = (line: string) => console.error(line);
    const link = await connectRedis(target, { log });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await runQueueWorker({ link, concurrency, lockSeconds, log, signal: stop.signal });
      return 0;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await link.close();
    }
  },
};
