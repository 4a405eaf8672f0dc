// A pool of worker threads sharing the arena memory, for running CPU kernels in parallel.
//
// Protocol (see pool-protocol.mjs): a SharedArrayBuffer control block holds, per worker, a job
// generation word (its futex), the kernel id, and ARG_SLOTS float64 arguments. run() writes the
// ids, sets PENDING, bumps each active worker's generation (notifying only workers that sleep),
// runs thread 0's share on the calling thread, then spins / Atomics.waits until PENDING is 0.
// runParts() instead lets the threads claim numbered parts (an atomic counter) until none are left.
// Workers spin a little after each job before sleeping, so back-to-back jobs avoid futex wakes.
//
// Kernels are registered once (wasm module + export, or JS factory source) and referred to by id.
// Registration is synchronous: the message is posted on the worker's port and a DRAIN job makes
// the worker read it (the worker threads and their messaging are the platform's: ../platform.ts in
// Node, ../platform.browser.ts in a browser).

import { cpuPlatform } from '../platform.ts';
import type { PoolWorkers } from '../platformTypes.ts';
import {
  ARG_SLOTS, ERROR, FIRST_KERNEL, GEN, JOB_THREADS, KERNEL, KERNEL_DRAIN, MAIN_SLEEPING, MAX_PARTS, NEXT_PART, N_PARTS, PENDING, READY,
  REGISTERED, SLEEPING, STARTED, STOP, argsOffset, partsOffset, controlBytes, makeKernel, workerWord, type KernelFn, type KernelMessage,
} from './pool-protocol.mjs';
import { WorkerPoolError } from './errors.ts';
import { isSharedMemory } from './sharedMemory.ts';

export type { KernelFn } from './pool-protocol.mjs';

export interface PoolOptions {
  /** The arena; must be a shared memory. */
  readonly memory: WebAssembly.Memory;
  /** Threads including the calling one (default: the platform's, os.availableParallelism() in Node). */
  readonly threads?: number;
  /**
   * How long (µs) an idle worker busy-waits for the next job before sleeping in Atomics.wait
   * (default 50). Jobs arriving within it start in ~1 µs; waking a sleeping worker costs
   * ~15-80 µs on this VM. Longer spins help back-to-back jobs on dedicated cores but cost up to
   * the spin per job when a neighbour takes a core (spinning against a descheduled partner).
   */
  readonly spinMicros?: number;
  /** How long (µs) the calling thread busy-waits for the workers before Atomics.wait (default 50). */
  readonly mainSpinMicros?: number;
}

const STARTUP_TIMEOUT_MS = 30_000;
/** A spinning worker that has not picked up a job this long after our share ended is off-core. */
const START_GRACE_MS = 0.02;

export class WorkerPool {
  readonly threads: number;
  readonly memory: WebAssembly.Memory;
  private readonly ctl: Int32Array;
  private readonly argViews: Float64Array[];
  private readonly partViews: Float64Array[];
  private readonly workers: PoolWorkers | undefined;
  private readonly kernels: KernelFn[] = [];
  private readonly mainSpin: number;
  private nextId = FIRST_KERNEL;
  private closed = false;

  /** Starts the workers and blocks until they are ready (Atomics.wait: Node's main thread or a browser's Web Worker). */
  constructor(opts: PoolOptions) {
    if (!isSharedMemory(opts.memory)) {
      throw new WorkerPoolError('WorkerPool: memory must be a shared WebAssembly.Memory', { argument: 'memory' });
    }
    const threads = opts.threads ?? cpuPlatform.defaultThreads();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new WorkerPoolError(`WorkerPool: threads = ${threads} must be a positive integer`, { argument: 'threads', value: threads });
    }
    this.threads = threads;
    this.memory = opts.memory;
    this.mainSpin = opts.mainSpinMicros ?? 50;
    const control = new SharedArrayBuffer(controlBytes(threads));
    this.ctl = new Int32Array(control);
    this.argViews = Array.from({ length: threads }, (_, t) => new Float64Array(control, argsOffset(threads) + t * ARG_SLOTS * 8, ARG_SLOTS));
    this.partViews = Array.from({ length: MAX_PARTS }, (_, i) => new Float64Array(control, partsOffset(threads) + i * ARG_SLOTS * 8, ARG_SLOTS));
    this.workers = threads > 1 ? cpuPlatform.startWorkers({ memory: opts.memory, control, threads, spinMicros: opts.spinMicros ?? 50 }) : undefined;
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (let ready = Atomics.load(this.ctl, READY); ready < threads - 1; ready = Atomics.load(this.ctl, READY)) {
      if (Date.now() > deadline) {
        this.close();
        throw new WorkerPoolError(`WorkerPool: only ${ready} of ${threads - 1} workers started`, {});
      }
      Atomics.wait(this.ctl, READY, ready, 100);
    }
  }

  /** The argument slots (ARG_SLOTS float64) of `thread` (0 = the calling thread). */
  args(thread: number): Float64Array {
    return this.argViews[thread]!;
  }

  /** The argument slots of part `i` (< MAX_PARTS) of a runParts job. */
  part(i: number): Float64Array {
    return this.partViews[i]!;
  }

  /**
   * Registers export `name` (taking `arity` numbers, returning 0 on success) of a wasm module.
   * With `threadOffset`, argument `slot` gets thread · args[strideSlot] added on each thread (e.g.
   * per-thread scratch for parts claimed by whichever thread comes first; see runParts).
   */
  registerWasm(module: WebAssembly.Module, name: string, arity: number, threadOffset?: { slot: number; strideSlot: number }): number {
    return this.register(threadOffset ? { kind: 'wasm', id: 0, module, name, arity, threadOffset } : { kind: 'wasm', id: 0, module, name, arity });
  }

  /**
   * Registers a JS kernel from source: an expression for a factory
   * `(memory) => (args, thread, threads) => status | undefined`. It runs in workers without
   * TypeScript and without access to the caller's closures.
   */
  registerJs(source: string): number {
    return this.register({ kind: 'js', id: 0, source });
  }

  private register(msg: KernelMessage): number {
    this.assertOpen();
    const id = this.nextId++;
    const full = { ...msg, id };
    this.kernels[id] = makeKernel(full, this.memory);
    Atomics.store(this.ctl, REGISTERED, id);
    this.workers?.post(full);
    this.dispatch(KERNEL_DRAIN, this.threads, 0, true);
    return id;
  }

  /**
   * Runs `kernel` on threads 0..threads-1 (thread 0 here) with each thread's args() slots and
   * returns when all are done. Throws WorkerPoolError if any thread failed.
   */
  run(kernel: number, threads: number = this.threads): void {
    this.checkRun(kernel, threads);
    this.dispatch(kernel, threads, 0, false);
  }

  /**
   * Runs `kernel` on parts 0..nParts-1 (their part() slots), claimed one at a time by threads
   * 0..threads-1 as they become free, so a thread that is slow or descheduled (a busy neighbour on
   * a shared VM) does less. Each part runs exactly once; returns when all are done.
   */
  runParts(kernel: number, nParts: number, threads: number = this.threads): void {
    if (!Number.isInteger(nParts) || nParts < 1 || nParts > MAX_PARTS) {
      throw new WorkerPoolError(`WorkerPool.runParts: nParts = ${nParts} must be in [1, ${MAX_PARTS}]`, { argument: 'nParts', value: nParts });
    }
    this.checkRun(kernel, threads);
    this.dispatch(kernel, threads, nParts, false);
  }

  private checkRun(kernel: number, threads: number): void {
    this.assertOpen();
    if (!(kernel >= FIRST_KERNEL && kernel < this.nextId)) {
      throw new WorkerPoolError(`WorkerPool.run: kernel ${kernel} is not registered`, { argument: 'kernel', value: kernel });
    }
    if (!Number.isInteger(threads) || threads < 1 || threads > this.threads) {
      throw new WorkerPoolError(`WorkerPool.run: threads = ${threads} must be in [1, ${this.threads}]`, { argument: 'threads', value: threads });
    }
  }

  private dispatch(kernel: number, threads: number, nParts: number, drainOnly: boolean): void {
    const ctl = this.ctl;
    ctl[JOB_THREADS] = threads;
    ctl[N_PARTS] = nParts;
    ctl[NEXT_PART] = 0;
    Atomics.store(ctl, STARTED, 0);
    Atomics.store(ctl, PENDING, threads - 1);
    for (let w = 1; w < threads; w++) {
      ctl[workerWord(w, KERNEL)] = kernel;
      Atomics.add(ctl, workerWord(w, GEN), 1);
      if (Atomics.load(ctl, workerWord(w, SLEEPING))) Atomics.notify(ctl, workerWord(w, GEN));
    }
    let mainError: unknown = null;
    if (!drainOnly) {
      const fn = this.kernels[kernel]!;
      try {
        if (nParts === 0) {
          const status = fn(this.argViews[0]!, 0, threads);
          if (typeof status === 'number' && status !== 0) mainError = new Error(`kernel ${kernel} returned status ${status}`);
        } else {
          for (let i = Atomics.add(ctl, NEXT_PART, 1); i < nParts; i = Atomics.add(ctl, NEXT_PART, 1)) {
            const status = fn(this.partViews[i]!, 0, threads);
            if (typeof status === 'number' && status !== 0) throw new Error(`kernel ${kernel} returned status ${status}`);
          }
        }
      } catch (e) {
        mainError = e;
      }
    }
    this.waitWorkers(threads - 1);
    const errors: string[] = mainError ? [String(mainError instanceof Error ? mainError.message : mainError)] : [];
    for (let w = 1; w < threads; w++) {
      if (Atomics.load(ctl, workerWord(w, ERROR))) {
        Atomics.store(ctl, workerWord(w, ERROR), 0);
        errors.push(this.workers!.error(w));
      }
    }
    if (errors.length > 0) {
      throw new WorkerPoolError(`WorkerPool: kernel ${kernel} failed: ${errors.join('; ')}`, { kernel, errors });
    }
  }

  /**
   * Spins up to mainSpin for the workers, but sleeps at once when one has not started 20 µs after
   * our share: it is waiting for a core (maybe ours), and spinning would keep it off.
   */
  private waitWorkers(workers: number): void {
    const ctl = this.ctl;
    if (Atomics.load(ctl, PENDING) === 0) return;
    const now = performance.now();
    const startBy = now + START_GRACE_MS;
    const deadline = now + this.mainSpin / 1000;
    let started = false;
    for (;;) {
      for (let i = 0; i < 64; i++) if (Atomics.load(ctl, PENDING) === 0) return;
      const t = performance.now();
      if (!started) started = Atomics.load(ctl, STARTED) === workers;
      if (t > deadline || (!started && t > startBy)) break;
    }
    for (;;) {
      Atomics.store(ctl, MAIN_SLEEPING, 1);
      const p = Atomics.load(ctl, PENDING);
      if (p === 0) break;
      Atomics.wait(ctl, PENDING, p);
    }
    Atomics.store(ctl, MAIN_SLEEPING, 0);
  }

  /** Stops and terminates the workers (idempotent). The pool cannot be used afterwards. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    Atomics.store(this.ctl, STOP, 1);
    for (let w = 1; w < this.threads; w++) {
      Atomics.add(this.ctl, workerWord(w, GEN), 1);
      Atomics.notify(this.ctl, workerWord(w, GEN));
    }
    return this.workers?.close() ?? Promise.resolve();
  }

  private assertOpen(): void {
    if (this.closed) throw new WorkerPoolError('WorkerPool: used after close()', {});
  }
}

