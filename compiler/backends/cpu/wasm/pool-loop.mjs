// The run loop of a CPU kernel pool worker (plain JS), shared by the Node worker (pool-worker.mjs)
// and the browser one (pool-worker.browser.mjs), which differ only in how they start and how they
// read kernel registrations. Waits on its own generation word; runs kernel KERNEL with its
// argument slots; decrements PENDING.
import {
  PENDING, MAIN_SLEEPING, STOP, READY, JOB_THREADS, STARTED, N_PARTS, NEXT_PART, MAX_PARTS, partsOffset, GEN, KERNEL, SLEEPING, ERROR, ARG_SLOTS, KERNEL_DRAIN,
  workerWord, argsOffset,
} from './pool-protocol.mjs';

/**
 * Runs jobs until STOP. `kernels[id]` are the registered kernels; `drain()` reads pending
 * registrations into it (synchronously in Node; a browser worker returns a Promise, and this loop
 * awaits it, letting the worker's event loop deliver them). `reportError(message)` tells the pool.
 */
export async function runPoolWorker({ control, index: w, threads, spinMicros }, kernels, drain, reportError) {
  const ctl = new Int32Array(control);
  const args = new Float64Array(control, argsOffset(threads) + w * ARG_SLOTS * 8, ARG_SLOTS);
  const parts = Array.from({ length: MAX_PARTS }, (_, i) =>
    new Float64Array(control, partsOffset(threads) + i * ARG_SLOTS * 8, ARG_SLOTS));
  const genWord = workerWord(w, GEN);
  const sleepWord = workerWord(w, SLEEPING);

  function runJob() {
    const id = ctl[workerWord(w, KERNEL)];
    if (id === KERNEL_DRAIN) return drain();
    const fn = kernels[id];
    if (!fn) throw new Error(`worker ${w}: kernel ${id} is not registered`);
    const jobThreads = ctl[JOB_THREADS];
    const nParts = ctl[N_PARTS];
    if (nParts === 0) return check(fn(args, w, jobThreads), id);
    // Dynamic job: claim parts until none are left (a slow thread simply claims fewer).
    for (let i = Atomics.add(ctl, NEXT_PART, 1); i < nParts; i = Atomics.add(ctl, NEXT_PART, 1)) {
      check(fn(parts[i], w, jobThreads), id);
    }
  }

  function check(status, id) {
    if (typeof status === 'number' && status !== 0) throw new Error(`worker ${w}: kernel ${id} returned status ${status}`);
  }

  let seen = Atomics.load(ctl, genWord);
  // Set after waking the sleeping main thread: the scheduler may queue it on this very core, and a
  // spin here would keep it waiting until the spin ends, so sleep at once this time.
  let skipSpin = false;
  Atomics.add(ctl, READY, 1);
  Atomics.notify(ctl, READY);
  for (;;) {
    let g = Atomics.load(ctl, genWord);
    if (g === seen && spinMicros > 0 && !skipSpin) {
      // Busy-wait up to spinMicros (checking the clock every 256 polls) before sleeping.
      const deadline = performance.now() + spinMicros / 1000;
      spin: for (;;) {
        for (let i = 0; i < 256; i++) {
          g = Atomics.load(ctl, genWord);
          if (g !== seen) break spin;
        }
        if (performance.now() > deadline) break;
      }
    }
    if (g === seen) {
      // Announce the sleep before re-checking in wait(): the main thread reads SLEEPING after
      // bumping GEN, so one of the two always sees the other (sequentially consistent atomics).
      Atomics.store(ctl, sleepWord, 1);
      Atomics.wait(ctl, genWord, seen);
      Atomics.store(ctl, sleepWord, 0);
      continue;
    }
    seen = g;
    if (Atomics.load(ctl, STOP)) break;
    Atomics.add(ctl, STARTED, 1);
    try {
      const pending = runJob();
      if (pending) await pending;
    } catch (e) {
      Atomics.store(ctl, workerWord(w, ERROR), 1);
      reportError(e instanceof Error ? `${e.message}\n${e.stack}` : String(e));
    }
    skipSpin = false;
    if (Atomics.sub(ctl, PENDING, 1) === 1 && Atomics.load(ctl, MAIN_SLEEPING)) {
      Atomics.notify(ctl, PENDING);
      skipSpin = true;
    }
  }
}
