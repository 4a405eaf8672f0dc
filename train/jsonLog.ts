import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * JSON-lines training log in the style of fairseq's json log format: one object per line with
 * "update", "loss", "lr", "gnorm", throughput and every metric; validation lines are prefixed
 * "valid_". Each line is appended whole (a crash loses at most the line being written).
 */
export class JsonLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  write(record: Record<string, unknown>): void {
    appendFileSync(this.path, `${JSON.stringify(record, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`);
  }
}
