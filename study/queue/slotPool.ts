import { readFileSync } from 'node:fs';
import { PretextError } from '../../util/errors.ts';
import { contentHash } from '../canonical.ts';
import type { RunJob, RunOutcome, RunProgress } from '../executeRun.ts';
import { type Slot, workerSlot } from '../runner.ts';

/**
 * The queue worker's run slots: forked runner processes (the local runner's, study/worker.ts), at
 * most `size` of them, each kept for the study file (its version and scale) it loaded. Training in
 * child processes keeps this process free to renew its jobs' locks however long a step takes.
 */
export class SlotPool {
  private readonly idle = new Map<string, Slot[]>();
  private readonly busy = new Map<string, Slot>();
  private readonly dropped = new WeakSet<Slot>();
  private count = 0;

  constructor(
    private readonly size: number,
    private readonly onProgress: (p: RunProgress) => void,
    /** Aborting stops every run after its current update (a checkpoint is written). */
    private readonly signal: AbortSignal,
  ) {}

  /** Runs a job in a slot; rejects with a PretextError exactly when the run failed by its own fault. */
  async run(studyFile: string, scale: string | undefined, job: RunJob): Promise<RunOutcome> {
    const key = `${studyFile}#${contentHash(readFileSync(studyFile, 'utf8'))}#${scale ?? ''}`;
    const slot = await this.take(key, studyFile, scale);
    this.busy.set(job.id, slot);
    try {
      const outcome = await slot.run(job);
      this.give(key, slot);
      return outcome;
    } catch (e) {
      // after a run's own failure the process is sound; after anything else start a fresh one
      if (e instanceof PretextError) this.give(key, slot);
      else this.drop(slot);
      throw e;
    } finally {
      this.busy.delete(job.id);
    }
  }

  /** Stops one run at once (its job was lost to another worker): its process ends, the run resumes elsewhere. */
  abandon(runId: string): void {
    const slot = this.busy.get(runId);
    if (slot) this.drop(slot);
  }

  close(): void {
    for (const slots of this.idle.values()) slots.forEach((s) => s.close());
    this.idle.clear();
  }

  private async take(key: string, studyFile: string, scale: string | undefined): Promise<Slot> {
    const ready = this.idle.get(key)?.pop();
    if (ready) return ready;
    if (this.count >= this.size) this.evictIdle();
    this.count++;
    try {
      return await workerSlot(studyFile, this.onProgress, this.signal, scale);
    } catch (e) {
      this.count--;
      throw e;
    }
  }

  private give(key: string, slot: Slot): void {
    this.idle.set(key, [...(this.idle.get(key) ?? []), slot]);
  }

  private drop(slot: Slot): void {
    if (this.dropped.has(slot)) return;
    this.dropped.add(slot);
    slot.close();
    this.count--;
  }

  /** Frees room for a slot of another study file by closing an idle one. */
  private evictIdle(): void {
    for (const [key, slots] of this.idle) {
      const slot = slots.pop();
      if (slots.length === 0) this.idle.delete(key);
      if (slot) return this.drop(slot);
    }
  }
}
