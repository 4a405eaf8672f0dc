import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { latestCheckpoint } from '../../models/checkpoint/index.ts';
import { CliError } from '../options.ts';

export const JOB_FILE = 'job.json';
export const LOG_FILE = 'log.jsonl';
export const HARD_TOKENS_FILE = 'hard-tokens.json';

/**
 * What `pretext train` writes into a run folder: step-NNNNNN checkpoints and their temporaries
 * (step-N.tmp-PID-…, step-N.old-PID-…), the `latest` pointer, the log, the job, SE's stage-1
 * hard tokens, and writeFileAtomic's temporaries of those (.NAME.PID.TIME.tmp).
 */
const RUN_ENTRY = /^(?:step-\d+(?:\.(?:tmp|old)-\d+-.+)?|latest|log\.jsonl|job\.json|hard-tokens\.json|\.(?:latest|log\.jsonl|job\.json|hard-tokens\.json)\.\d+\.\d+\.tmp)$/;

/** The entries of `out` that pretext's training wrote (nothing else there is ever touched). */
export function runEntries(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out).filter((n) => RUN_ENTRY.test(n)).sort();
}

export interface RunFolderIntent {
  readonly resume: boolean;
  readonly overwrite: boolean;
  /** Files the run reads (--init, --hard-tokens): --overwrite must not clear them. */
  readonly inputs?: readonly { readonly flag: string; readonly path: string }[];
}

/**
 * Checks that a run can go into `out` as asked, writing nothing: --resume needs a checkpoint
 * there; without --resume a folder that already holds a run needs --overwrite (training into it
 * would mix the two runs' logs and checkpoints).
 */
export function checkRunFolder(out: string, intent: RunFolderIntent): void {
  if (intent.resume && intent.overwrite) throw new CliError('--resume and --overwrite contradict each other: give one', { flag: 'overwrite' });
  if (existsSync(out) && !statSync(out).isDirectory()) throw new CliError(`--out ${out} is a file, not a run folder`, { flag: 'out' });
  const entries = runEntries(out);
  if (intent.resume) {
    if (!latestCheckpoint(out)) {
      throw new CliError(`--resume: ${out} holds no checkpoint to resume from${entries.length > 0 ? ` (it has ${listed(entries)})` : ''}; train without --resume to start the run`, { flag: 'resume' });
    }
  } else if (!intent.overwrite && entries.length > 0) {
    throw new CliError(`--out ${out} already holds a run (${listed(entries)}): continue it with --resume, or replace it with --overwrite`, { flag: 'out' });
  }
  if (intent.overwrite) {
    const inside = intent.inputs?.find((i) => { const r = relative(resolve(out), resolve(i.path)); return r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r); });
    if (inside) throw new CliError(`--${inside.flag} ${inside.path} lies in --out ${out}, which --overwrite clears: copy it elsewhere first`, { flag: inside.flag });
  }
}

/** Removes the previous run's entries from `out` (only those, see runEntries). */
export function clearRun(out: string): void {
  for (const name of runEntries(out)) rmSync(join(out, name), { recursive: true, force: true });
}

/** Job fields a resumed run may change: the step count, and what derives from it by default. */
const MAY_CHANGE_ON_RESUME = new Set(['train.steps', 'train.schedule.totalSteps', 'train.schedule.warmupSteps']);

/**
 * Checks that a resumed job is the run's own (RUN/job.json), but for its step count: a changed
 * model, objective, corpus or optimiser would silently continue a different run.
 */
export function checkResumedJob(out: string, job: Readonly<Record<string, unknown>>): void {
  const file = join(out, JOB_FILE);
  if (!existsSync(file)) return;
  let was: Record<string, unknown>;
  try {
    was = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CliError(`--resume: ${file} is not valid JSON (${(e as Error).message})`, { file });
  }
  const now = JSON.parse(JSON.stringify(job)) as Record<string, unknown>;
  const corpus = (j: Record<string, unknown>) => ({ ...j, corpus: typeof j['corpus'] === 'string' ? resolve(j['corpus']) : j['corpus'] });
  const diffs = jsonDifferences(corpus(was), corpus(now), '').filter((d) => !MAY_CHANGE_ON_RESUME.has(d.path));
  if (diffs.length > 0) {
    const said = diffs.slice(0, 3).map((d) => `${d.path} was ${JSON.stringify(d.was) ?? 'absent'}, now ${JSON.stringify(d.now) ?? 'absent'}`);
    throw new CliError(`--resume: this job is not the run's in ${file}: ${said.join('; ')}${diffs.length > 3 ? '; …' : ''} (only the step count may change)`, { file, field: diffs[0]!.path });
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonDifferences(was: unknown, now: unknown, path: string): { path: string; was: unknown; now: unknown }[] {
  if (isRecord(was) && isRecord(now)) {
    return [...new Set([...Object.keys(was), ...Object.keys(now)])].flatMap((k) => jsonDifferences(was[k], now[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(was) === JSON.stringify(now) ? [] : [{ path, was, now }];
}

const listed = (entries: readonly string[]): string => `${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}`;
