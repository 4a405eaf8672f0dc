import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.ts';

/**
 * JSON-lines training log in the style of fairseq's json log format: one object per line with
 * "update", "loss", "lr", "gnorm", throughput and every metric; validation lines are prefixed
 * "valid_". Each line is appended whole (a crash loses at most the line being written).
 */
export class JsonLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  /**
   * Drops the lines of updates after `update` (and a torn last line), atomically: a run resumed
   * from that update's checkpoint replays them. Returns how many lines were dropped.
   */
  truncateAfter(update: number): number {
    if (!existsSync(this.path)) return 0;
    const lines = readFileSync(this.path, 'utf8').split('\n').filter((l) => l !== '');
    const kept = lines.filter((l) => {
      try {
        const u = (JSON.parse(l) as { update?: unknown }).update;
        return typeof u !== 'number' || u <= update;
      } catch {
        return false;
      }
    });
    if (kept.length < lines.length) writeFileAtomic(this.path, kept.map((l) => `${l}\n`).join(''));
    return lines.length - kept.length;
  }

  write(record: Record<string, unknown>): void {
    appendFileSync(this.path, `${JSON.stringify(record, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`);
  }
}
