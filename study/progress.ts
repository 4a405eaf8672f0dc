import type { RunProgress } from './executeRun.ts';

interface Active {
  readonly label: string;
  readonly startedAt: number;
  startStep: number | undefined;
  step: number;
  total: number;
}

const clock = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/**
 * The combined progress of a study: runs done of all, each running run's step and ETA, and the
 * overall ETA (remaining steps at the steps per second seen so far, all workers together). On a
 * terminal the block is redrawn in place; otherwise a line is printed when a run starts or ends.
 */
export class StudyProgress {
  private readonly active = new Map<string, Active>();
  private done = 0;
  private drawn = 0;
  private readonly startedAt = Date.now();
  private stepsDone = 0;
  private lastDraw = 0;

  constructor(
    private readonly total: number,
    /** Steps still to train per run id (0 for finished runs). */
    private readonly remaining: Map<string, number>,
    private readonly write: (text: string) => void = (t) => void process.stderr.write(t),
    private readonly tty = process.stderr.isTTY === true,
  ) {}

  start(id: string, label: string): void {
    this.active.set(id, { label, startedAt: Date.now(), startStep: undefined, step: 0, total: this.remaining.get(id) ?? 0 });
    if (!this.tty) this.line(`started ${id} (${label})`);
    this.draw(true);
  }

  update(p: RunProgress): void {
    const a = this.active.get(p.id);
    if (!a) return;
    if (a.startStep === undefined) a.startStep = p.step - 1;
    this.stepsDone += Math.max(0, p.step - Math.max(a.step, a.startStep));
    a.step = p.step;
    a.total = p.total;
    this.remaining.set(p.id, p.total - p.step);
    this.draw(false);
  }

  finish(id: string, what: string): void {
    this.active.delete(id);
    this.done++;
    this.remaining.set(id, 0);
    if (!this.tty) this.line(`${what} ${id} [${this.done}/${this.total}]`);
    this.draw(true);
  }

  /** The progress block as text lines. */
  lines(now = Date.now()): string[] {
    const rate = this.stepsDone / Math.max(1e-3, (now - this.startedAt) / 1000);
    const left = [...this.remaining.values()].reduce((s, n) => s + n, 0);
    const out = [`study: ${this.done}/${this.total} runs done, ${this.active.size} running, ETA ${rate > 0 ? clock(left / rate) : '-'}`];
    for (const [id, a] of this.active) {
      const since = (now - a.startedAt) / 1000;
      const stepped = a.step - (a.startStep ?? a.step);
      const eta = stepped > 0 ? ((a.total - a.step) * since) / stepped : Number.NaN;
      out.push(`  ${id}  step ${a.step}/${a.total}  ETA ${clock(eta)}  ${a.label}`);
    }
    return out;
  }

  private line(text: string): void {
    this.write(`${text}\n`);
  }

  private draw(force: boolean): void {
    if (!this.tty) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const lines = this.lines(now);
    // move up over the previous block, then rewrite it line by line (clearing each)
    this.write(`${this.drawn > 0 ? `\x1b[${this.drawn}A` : ''}${lines.map((l) => `\x1b[2K${l}\n`).join('')}${this.drawn > lines.length ? '\x1b[J' : ''}`);
    this.drawn = lines.length;
  }
}
