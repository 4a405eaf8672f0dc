// A study worker process (forked by the local runner with --parallel N): loads the study file for
// its evaluations, then runs the jobs it is sent, one at a time, reporting progress and outcomes.
import { PretextError } from '../util/errors.ts';
import { executeRun } from './executeRun.ts';
import { loadStudy } from './load.ts';
import type { FromWorker, ToWorker } from './workerProtocol.ts';

// after a disconnect (the parent stopped or died) there is no one to tell: the run stops at its checkpoint
const send = (m: FromWorker) => process.connected && process.send?.(m);
const stop = new AbortController();
// Ctrl-C reaches every process of the terminal's group: stop after the current update (a
// checkpoint is written); a listener here keeps Node from exiting at once on a second one
process.on('SIGINT', () => stop.abort());
process.on('disconnect', () => stop.abort());

const { study } = await loadStudy(process.argv[2]!);
process.on('message', (m: ToWorker) => {
  if (m.type === 'stop') {
    stop.abort();
    return;
  }
  executeRun(m.job, { evaluations: study.evaluate ?? [], signal: stop.signal, onProgress: (progress) => send({ type: 'progress', progress }) }).then(
    (outcome) => send({ type: 'outcome', outcome }),
    (e: unknown) => send({ type: 'failed', id: m.job.id, message: e instanceof PretextError ? e.message : String((e as Error).stack ?? e), own: e instanceof PretextError }),
  );
});
send({ type: 'ready' });
