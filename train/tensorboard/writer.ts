import { appendFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { JsonLog } from '../jsonLog.ts';
import { fileVersionEvent, scalarsEvent, tfRecord } from './eventFile.ts';

/**
 * Scalars for TensorBoard: a new events.out.tfevents.<time>.<host>.<pid> file in `dir` per
 * writer (TensorBoard reads every event file of a folder), appended one record at a time.
 */
export class TensorBoardWriter {
  readonly file: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    const now = Date.now() / 1000;
    this.file = join(dir, `events.out.tfevents.${Math.floor(now)}.${hostname()}.${process.pid}`);
    appendFileSync(this.file, tfRecord(fileVersionEvent(now)));
  }

  scalars(step: number, values: Readonly<Record<string, number>>): void {
    if (Object.keys(values).length > 0) appendFileSync(this.file, tfRecord(scalarsEvent(Date.now() / 1000, step, values)));
  }
}

/** Log fields that are coordinates, not scalars to plot. */
const NOT_SCALARS = new Set(['update', 'epoch']);

/**
 * A training log that also writes its numeric fields to TensorBoard at the line's update:
 * training lines as train/NAME, validation lines (valid_NAME) as valid/NAME.
 */
export class JsonLogWithTensorBoard extends JsonLog {
  private readonly board: TensorBoardWriter;

  constructor(path: string, tensorboardDir: string) {
    super(path);
    this.board = new TensorBoardWriter(tensorboardDir);
  }

  override write(record: Record<string, unknown>): void {
    super.write(record);
    const step = record['update'];
    if (typeof step !== 'number' || record['event'] !== undefined) return;
    const scalars: Record<string, number> = {};
    for (const [k, v] of Object.entries(record)) {
      if (NOT_SCALARS.has(k) || typeof v !== 'number') continue;
      scalars[k.startsWith('valid_') ? `valid/${k.slice('valid_'.length)}` : `train/${k}`] = v;
    }
    this.board.scalars(step, scalars);
  }
}
