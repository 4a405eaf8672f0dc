import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { StudyError } from './errors.ts';

/**
 * A study run's folder: run.json (its spec), train/ (the `pretext train` run folder: log.jsonl,
 * checkpoints), seconds.json (training time so far), done.json (written when training finished),
 * evals/NAME-HASH.json (each evaluation's rows, cached).
 */
export const runFiles = (runDir: string) => ({
  spec: join(runDir, 'run.json'),
  train: join(runDir, 'train'),
  log: join(runDir, 'train', 'log.jsonl'),
  seconds: join(runDir, 'seconds.json'),
  done: join(runDir, 'done.json'),
  evals: join(runDir, 'evals'),
});

export function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new StudyError(`${file}: cannot read it as JSON (${(e as Error).message}); delete it to redo that part of the run`, { file });
  }
}

export const readJsonIfPresent = <T>(file: string): T | undefined => (existsSync(file) ? readJson<T>(file) : undefined);

export const writeJson = (file: string, value: unknown): void => writeFileAtomic(file, `${JSON.stringify(value, null, 1)}\n`);

/** What done.json says. */
export interface DoneRecord {
  readonly steps: number;
  readonly seconds: number;
  readonly stoppedBy: 'steps' | 'seconds';
  readonly finishedAt: string;
}
