// Shared-memory layout of the worker pool's control block (plain JS: the workers load it without a
// TypeScript loader; pool.ts imports it too, so both sides agree on the numbers).
//
// Int32 words. Each thread's words sit on their own 64-byte line to avoid false sharing.
//   line 0: PENDING (workers still running the current job), MAIN_SLEEPING, STOP, READY,
//           JOB_THREADS (threads taking part in the current job), STARTED (workers that began it),
//           N_PARTS (0: every thread runs its own args; > 0: threads claim parts), NEXT_PART,
//           REGISTERED (the newest kernel id posted: a DRAIN job's worker has read up to it)
//   line 1 + w (worker w = 1..threads-1):
//     GEN      job generation for this worker (the futex it sleeps on)
//     KERNEL   kernel id to run
//     SLEEPING 1 while the worker is (about to be) in Atomics.wait
//     ERROR    1 when the last job threw (the message follows on the worker's port)
// Arguments: a Float64Array after the Int32 part, ARG_SLOTS per thread (thread 0 = main), then
// MAX_PARTS part entries of ARG_SLOTS each (dynamically scheduled jobs).

export const PENDING = 0;
export const MAIN_SLEEPING = 1;
export const STOP = 2;
export const READY = 3;
export const JOB_THREADS = 4;
export const STARTED = 5;
export const N_PARTS = 6;
export const NEXT_PART = 7;
export const REGISTERED = 8;

export const WORDS_PER_LINE = 16;
export const GEN = 0;
export const KERNEL = 1;
export const SLEEPING = 2;
export const ERROR = 3;

export const ARG_SLOTS = 32;
export const MAX_PARTS = 64;

/** Kernel ids below this are control jobs. */
export const KERNEL_DRAIN = 0;
export const FIRST_KERNEL = 1;

/** Int32 index of worker w's word `field`. */
export function workerWord(w, field) {
  return (1 + w) * WORDS_PER_LINE + field;
}

/** Bytes of control block for `threads` threads (Int32 lines, then Float64 args and parts). */
export function controlBytes(threads) {
  return partsOffset(threads) + MAX_PARTS * ARG_SLOTS * 8;
}

export function partsOffset(threads) {
  return argsOffset(threads) + threads * ARG_SLOTS * 8;
}

export function argsOffset(threads) {
  return (1 + threads) * WORDS_PER_LINE * 4;
}

/**
 * Turns a registration message into a kernel function (args: Float64Array, thread, threads) =>
 * status, on either side. Kinds: 'wasm' (a WebAssembly.Module whose export `name` takes `arity`
 * numbers and returns 0 on success; with `threadOffset: {slot, strideSlot}`, argument `slot` gets
 * thread · args[strideSlot] added, e.g. to give each thread its own scratch) and 'js' (source of a
 * factory `(memory) => (args, thread, threads) => status?`).
 */
export function makeKernel(msg, memory) {
  if (msg.kind === 'wasm') {
    const fn = new WebAssembly.Instance(msg.module, { env: { memory } }).exports[msg.name];
    if (typeof fn !== 'function') throw new Error(`wasm module has no export ${msg.name}`);
    return spreadCaller(fn, msg.arity, msg.threadOffset);
  }
  if (msg.kind === 'js') {
    // eslint-disable-next-line no-new-func
    const factory = new Function(`return (${msg.source});`)();
    return factory(memory);
  }
  throw new Error(`unknown kernel kind ${msg.kind}`);
}

// Calls fn with args[0..arity) as separate numbers (a generated caller: no spread allocation).
function spreadCaller(fn, arity, threadOffset) {
  const list = Array.from({ length: arity }, (_, i) =>
    threadOffset && i === threadOffset.slot ? `a[${i}] + t * a[${threadOffset.strideSlot}]` : `a[${i}]`);
  // eslint-disable-next-line no-new-func
  return new Function('fn', `return (a, t) => fn(${list.join(', ')});`)(fn);
}
