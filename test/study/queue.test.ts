// The study queue against a real redis-server on 127.0.0.1 (the Debian package; .ci/run installs
// it): workers are real `pretext study worker` processes, killed with SIGKILL where the test says.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { loadStudy } from '../../study/load.ts';
import { connectRedis } from '../../study/queue/connection.ts';
import { QueueError } from '../../study/queue/errors.ts';
import { QUEUE_NAME } from '../../study/queue/jobs.ts';
import { parseRedisUrl } from '../../study/queue/redisUrl.ts';
import { checkStudyFolder } from '../../study/queue/studyFolder.ts';
import { runStudy } from '../../study/runStudy.ts';
import { TINY_BASE, studyFixture, writeStudy } from './fixture.ts';

const ROOT = join(import.meta.dirname, '../..');
const PRETEXT = join(ROOT, 'bin/pretext.mjs');
/** Metrics that measure wall time: they differ between any two runs. */
const TIMING = new Set(['ms', 'tokens_per_s', 'train_seconds']);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A redis-server in `dir` with an append-only file, so a restart keeps the queue. */
class RedisServer {
  private proc: ChildProcess | undefined;
  constructor(readonly port: number, private readonly dir: string) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', this.dir], { stdio: 'ignore' });
    const end = Date.now() + 10_000;
    for (;;) {
      try {
        const link = await connectRedis(parseRedisUrl(this.url), { log: () => {}, timeoutMs: 500 });
        await link.close();
        return;
      } catch (e) {
        if (Date.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  /** SIGTERM: redis writes its append-only file and exits. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise((r) => (p.once('exit', r), p.kill('SIGTERM')));
  }
}

/** A `pretext study worker` process in its own process group (SIGKILL to the group: the machine is lost). */
class WorkerProcess {
  readonly proc: ChildProcess;
  err = '';
  constructor(url: string) {
    this.proc = spawn(process.execPath, [PRETEXT, 'study', 'worker', '--queue', url, '--lock-seconds', '2'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.proc.stderr!.on('data', (d: Buffer) => (this.err += d.toString()));
  }
  ready = () => until('a worker to start', () => this.err.includes('taking study runs'));
  /** How often this worker said `run ID <what>`. */
  count = (id: string, what: 'started' | 'finished') => this.err.split('\n').filter((l) => l.includes(`run ${id} ${what}`)).length;
  kill(signal: NodeJS.Signals = 'SIGKILL') {
    if (this.proc.exitCode === null && this.proc.signalCode === null) process.kill(-this.proc.pid!, signal);
  }
}

/** `pretext study run` in this process; its stderr lines. */
async function studyRun(args: string[]): Promise<{ code: number; err: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    const code = await main(['study', 'run', ...args, '--no-progress']);
    return { code, err: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

/** A results.json as run|metric|step|epoch -> value, without wall-time metrics. */
function resultValues(out: string, study: string): Map<string, number> {
  const rows = JSON.parse(readFileSync(join(out, study, 'results.json'), 'utf8')) as { run: string; metric: string; step: number; epoch: number | null; value: number }[];
  return new Map(rows.filter((r) => !TIMING.has(r.metric)).map((r) => [`${r.run}|${r.metric}|${r.step}|${r.epoch}`, r.value]));
}

const logUpdates = (runDir: string) =>
  readFileSync(join(runDir, 'train', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

let dir = '';
let redis: RedisServer;
const workers: WorkerProcess[] = [];
let equalFile = '';
let reference = new Map<string, number>();
let runIds: string[] = [];

beforeAll(async () => {
  ({ dir } = await studyFixture('pretext-queue-'));
  // study files here are ES modules, as in a user's project with "type": "module"
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  redis = new RedisServer(await freePort(), dir);
  await redis.start();
  workers.push(new WorkerProcess(redis.url), new WorkerProcess(redis.url));
  const base = { ...TINY_BASE, objective: 'mlm', budget: { steps: 6 } };
  equalFile = writeStudy(dir, 'equal', `export default defineStudy({ name: 'equal', base: ${JSON.stringify(base)}, runs: grid({ seed: [0, 1, 2] }), evaluate: [evaluation('twiceStep', (ctx) => 2 * ctx.step)] });`);
  // the reference: the same study run by the local runner, in this process
  const local = await runStudy(await loadStudy(equalFile), { out: join(dir, 'local'), parallel: 1, progress: false });
  runIds = local.results.plan.runs.map((r) => r.id);
  reference = resultValues(join(dir, 'local'), 'equal');
  await Promise.all(workers.map((w) => w.ready()));
}, 90_000);

afterAll(async () => {
  workers.forEach((w) => w.kill());
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('pretext study run --queue with pretext study worker processes', () => {
  it('two workers give the local run\'s results table, each taking runs; queuing the study again adds nothing', async () => {
    const out = join(dir, 'q-equal');
    const { code, err } = await studyRun([equalFile, '--out', out, '--queue', redis.url]);
    expect(code, err).toBe(0);
    expect(err).toContain('study equal: 3/3 runs finished');
    expect(resultValues(out, 'equal')).toEqual(reference);
    expect(reference.size).toBeGreaterThan(30);
    for (const w of workers) expect(runIds.some((id) => w.count(id, 'finished') > 0), w.err).toBe(true);
    // again: the completed jobs are the results; no worker runs anything
    const again = await studyRun([equalFile, '--out', out, '--queue', redis.url]);
    expect(again.code, again.err).toBe(0);
    expect(resultValues(out, 'equal')).toEqual(reference);
    for (const id of runIds) expect(workers.reduce((n, w) => n + w.count(id, 'started'), 0)).toBe(1);
  }, 60_000);

  it('a worker killed with SIGKILL in the middle of a run loses it to another, which resumes from its checkpoint; every run finishes once', async () => {
    const base = { ...TINY_BASE, objective: 'mlm', train: { ...TINY_BASE.train, evalEvery: 0, checkpointEvery: 3 }, budget: { steps: 30 } };
    const file = writeStudy(dir, 'kill', `export default defineStudy({ name: 'kill', base: ${JSON.stringify(base)}, runs: grid({ seed: [5, 6] }) });`);
    const out = join(dir, 'q-kill');
    const runsDir = join(out, 'kill', 'runs');
    const running = studyRun([file, '--out', out, '--queue', redis.url]);
    const victim = workers[0]!;
    const before = victim.err.length;
    const checkpointed = (id: string) => existsSync(join(runsDir, id, 'train')) && readdirSync(join(runsDir, id, 'train')).some((n) => /^step-\d+$/.test(n));
    let taken = '';
    await until('the first worker to checkpoint its run', () => {
      taken = /run (\S+) started/.exec(victim.err.slice(before))?.[1] ?? '';
      return taken !== '' && checkpointed(taken);
    });
    expect(existsSync(join(runsDir, taken, 'done.json'))).toBe(false);
    victim.kill('SIGKILL');
    workers.push(new WorkerProcess(redis.url));
    const { code, err } = await running;
    expect(code, err).toBe(0);
    expect(err).toContain('study kill: 2/2 runs finished');
    const ids = readdirSync(runsDir);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(workers.reduce((n, w) => n + w.count(id, 'finished'), 0), `run ${id}`).toBe(1);
    expect(victim.count(taken, 'finished')).toBe(0);
    expect(workers.slice(1).some((w) => w.count(taken, 'started') === 1)).toBe(true);
    // resumed, not restarted: a resume mark, then each update once
    const log = logUpdates(join(runsDir, taken));
    expect(log.some((l) => l['event'] === 'resume')).toBe(true);
    expect(log.filter((l) => typeof l['loss'] === 'number').map((l) => l['update'])).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    await workers[2]!.ready();
  }, 90_000);

  it('a coordinator killed with SIGKILL and started again collects every run', async () => {
    const out = join(dir, 'q-restart');
    const first = spawn(process.execPath, [PRETEXT, 'study', 'run', equalFile, '--out', out, '--queue', redis.url, '--no-progress'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    first.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await until('the coordinator to queue the runs', () => err.includes('queued 3 of 3 runs'));
    const doneAtKill = runIds.filter((id) => existsSync(join(out, 'equal', 'runs', id, 'done.json'))).length;
    first.kill('SIGKILL');
    expect(doneAtKill).toBeLessThan(3);
    const again = await studyRun([equalFile, '--out', out, '--queue', redis.url]);
    expect(again.code, again.err).toBe(0);
    expect(resultValues(out, 'equal')).toEqual(reference);
  }, 60_000);

  it('a Redis restart in the middle of a study loses nothing, and says so in one line each way', async () => {
    const out = join(dir, 'q-redis');
    const running = studyRun([equalFile, '--out', out, '--queue', redis.url]);
    await until('a run to start training', () => runIds.some((id) => existsSync(join(out, 'equal', 'runs', id, 'train', 'log.jsonl'))));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 500));
    await redis.start();
    const { code, err } = await running;
    expect(code, err).toBe(0);
    expect(resultValues(out, 'equal')).toEqual(reference);
    expect(err.match(/Redis at redis:\/\/127\.0\.0\.1:\d+: connection lost/g)).toHaveLength(1);
    expect(err).toContain(`Redis at ${redis.url}: connected again`);
    expect(err).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('a run that fails by its own fault is reported once with its error and not retried', async () => {
    const base = { ...TINY_BASE, objective: 'mlm', budget: { steps: 2 } };
    const file = writeStudy(dir, 'fail', `export default defineStudy({ name: 'fail', base: ${JSON.stringify(base)}, runs: [{ init: '${join(dir, 'no-checkpoint')}' }] });`);
    const { code, err } = await studyRun([file, '--out', join(dir, 'q-fail'), '--queue', redis.url]);
    expect(code).toBe(1);
    expect(err.match(/failed: .*holds no checkpoint/g)).toHaveLength(1);
    const id = /run (\S+) failed/.exec(err)![1]!;
    expect(workers.reduce((n, w) => n + w.count(id, 'started'), 0)).toBe(1);
  }, 30_000);

  it('a worker that cannot see the study folder says so, naming it; the job fails with that reason', async () => {
    const link = await connectRedis(parseRedisUrl(redis.url), { log: () => {} });
    const queue = new Queue(QUEUE_NAME, { connection: link.client });
    const missing = join(dir, 'not-shared');
    try {
      const job = await queue.add('run', { run: { id: 'mlm-000000000000' }, studyFile: equalFile, studyDir: missing, evaluations: '' }, { jobId: 'mlm-000000000000', attempts: 1 });
      await until('the job to fail', () => workers.some((w) => w.err.includes('cannot see the study folder')));
      let state = '';
      const end = Date.now() + 10_000;
      while ((state = await job.getState()) !== 'failed' && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(state).toBe('failed');
      expect((await queue.getJob(job.id!))!.failedReason).toContain(`cannot see the study folder ${missing} (no plan.json there)`);
    } finally {
      await queue.close();
      await link.close();
    }
    expect(() => checkStudyFolder(missing)).toThrow(QueueError);
  }, 30_000);
});

describe('Redis that is not there', () => {
  it('a refused connection, a wrong scheme and a bad port give one line naming the URL', async () => {
    const port = await freePort();
    const refused = await studyRun([equalFile, '--out', join(dir, 'q-none'), '--queue', `redis://127.0.0.1:${port}`]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(new RegExp(`^pretext study run: cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED[^\\n]*\\): is redis-server running there`));
    expect(refused.err.split('\n')).toHaveLength(1);
    const scheme = await studyRun([equalFile, '--queue', 'http://127.0.0.1:6379']);
    expect(scheme.err).toContain('--queue: expected redis://HOST:PORT[/DB] (or rediss:// for TLS), got "http://127.0.0.1:6379" (scheme http)');
    const badPort = await studyRun([equalFile, '--queue', 'redis://127.0.0.1:99999']);
    expect(badPort.err).toContain('(port 99999 is out of range)');
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      expect(await main(['study', 'worker', '--queue', `redis://127.0.0.1:${port}`])).toBe(2);
      expect(await main(['study', 'worker', '--queue', redis.url, '--study-folder', join(dir, 'nowhere')])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(lines[0]).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(lines[1]).toContain(`cannot see the study folder ${join(dir, 'nowhere')}`);
  }, 30_000);
});
