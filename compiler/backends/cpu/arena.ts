import { CompileError } from '../../fusion/errors.ts';
import { ParallelGemm } from './wasm/gemm-parallel.ts';
import { cpuPlatform } from './platform.ts';
import { WorkerPool } from './wasm/pool.ts';

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB: wasm32's limit
const ALIGN = 64;

/**
 * The process-wide memory of the CPU backend: one shared WebAssembly.Memory that every compiled
 * program takes a region of, so one pool of worker threads (and one instance of the GEMM per
 * thread) serves all programs. Regions are freed when their program is garbage collected.
 */
export class Arena {
  readonly memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  /** Free byte ranges, sorted by offset. */
  private free: { offset: number; size: number }[] = [{ offset: 0, size: 16 * PAGE }];
  private poolInstance: WorkerPool | undefined;
  private gemmInstance: ParallelGemm | undefined;
  readonly threads: number;

  constructor(threads: number) {
    this.threads = threads;
  }

  /** A 64-byte aligned region of `bytes`, growing the memory when no free range fits. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      if (f.size >= size) {
        const offset = f.offset;
        if (f.size === size) this.free.splice(i, 1);
        else this.free[i] = { offset: f.offset + size, size: f.size - size };
        return offset;
      }
    }
    const end = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tailFree = last && last.offset + last.size === end ? last.size : 0;
    const pages = Math.ceil((size - tailFree) / PAGE);
    if (end / PAGE + pages > MAX_PAGES) {
      throw new CompileError(`the CPU backend's memory would exceed 4 GiB (program needs ${(bytes / 2 ** 20).toFixed(1)} MiB)`, { bytes });
    }
    this.memory.grow(pages);
    this.release(end, pages * PAGE);
    return this.alloc(bytes);
  }

  release(offset: number, bytes: number): void {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    this.free.push({ offset, size });
    this.free.sort((a, b) => a.offset - b.offset);
    const merged: { offset: number; size: number }[] = [];
    for (const f of this.free) {
      const prev = merged[merged.length - 1];
      if (prev && prev.offset + prev.size === f.offset) prev.size += f.size;
      else merged.push({ ...f });
    }
    this.free = merged;
  }

  /** Worker threads on this memory (created on first use; they do not keep the process alive). */
  pool(): WorkerPool | undefined {
    if (this.threads <= 1) return undefined;
    this.poolInstance ??= new WorkerPool({ memory: this.memory, threads: this.threads });
    return this.poolInstance;
  }

  parallelGemm(): ParallelGemm | undefined {
    const pool = this.pool();
    if (!pool) return undefined;
    this.gemmInstance ??= new ParallelGemm(pool);
    return this.gemmInstance;
  }
}

/** Threads for CPU programs: in Node PRETEXT_THREADS, else the machine's parallelism; in a browser 1 + the preloaded pool workers. */
export function defaultThreads(): number {
  return cpuPlatform.defaultThreads();
}

let shared: Arena | undefined;
/** The process-wide arena. */
export function sharedArena(): Arena {
  shared ??= new Arena(defaultThreads());
  return shared;
}
