// The CPU backend's host in a browser (a Web Worker: the pool's calling thread blocks in
// Atomics.wait, which a page's main thread may not). Pool workers are module Web Workers running
// wasm/pool-worker.browser.mjs; they must be loaded (preloadPoolWorkers, async) before the first
// program compiles, because a browser starts workers only while the creating thread's event loop
// runs. For the same reason Worker.postMessage would not arrive while the pool blocks in
// Atomics.wait (Chromium delivers it from the sender's event loop), so everything after loading
// goes over a MessageChannel, whose messages do. Without cross-origin isolation (no
// SharedArrayBuffer to post) there is one thread.
import type { CpuPlatform, PoolWorkerInit, PoolWorkers } from './platformTypes.ts';
import { WorkerPoolError } from './wasm/errors.ts';

const preloaded: { worker: Worker; port: MessagePort }[] = [];

/** Whether this context can share memory with workers (the page was served with COOP/COEP). */
export const canUseThreads = (): boolean => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;

/**
 * Loads `count` pool workers from `url` (the bundled pool-worker.browser.mjs) and waits until each
 * has started; afterwards CPU programs run on count + 1 threads. Needs cross-origin isolation.
 */
export async function preloadPoolWorkers(url: string | URL, count: number): Promise<void> {
  if (!canUseThreads()) throw new WorkerPoolError('pool workers need a cross-origin isolated page (COOP/COEP headers)', { argument: 'crossOriginIsolated' });
  await Promise.all(
    Array.from({ length: count }, () => new Promise<void>((resolve, reject) => {
      const worker = new Worker(url, { type: 'module' });
      worker.onerror = (e) => reject(new WorkerPoolError(`pool worker ${String(url)} failed to load: ${e.message}`, { url: String(url) }));
      worker.onmessage = (e: MessageEvent<{ loaded?: boolean }>) => {
        if (!e.data.loaded) return;
        const { port1, port2 } = new MessageChannel();
        // the worker answers on the port once it has it: from then on the port works while we block
        port1.onmessage = () => {
          port1.onmessage = (m: MessageEvent<{ error?: string }>) => console.error(`pretext pool worker: ${m.data.error}`);
          preloaded.push({ worker, port: port1 });
          resolve();
        };
        worker.postMessage({ port: port2 }, [port2]);
      };
    })),
  );
}

function startWorkers(init: PoolWorkerInit): PoolWorkers {
  if (preloaded.length < init.threads - 1) {
    throw new WorkerPoolError(`WorkerPool: ${init.threads} threads need ${init.threads - 1} preloaded pool workers, ${preloaded.length} are loaded (preloadPoolWorkers)`, { argument: 'threads' });
  }
  const workers = preloaded.slice(0, init.threads - 1);
  workers.forEach(({ port }, i) => port.postMessage({ init: { ...init, index: i + 1 } }));
  return {
    post: (message) => {
      for (const { port } of workers) port.postMessage(message);
    },
    error: (w) => `worker ${w} failed (its message is on the console)`,
    close: async () => {
      for (const { worker, port } of workers) {
        port.close();
        worker.terminate();
      }
      preloaded.splice(0, workers.length);
    },
  };
}

export const cpuPlatform: CpuPlatform = {
  defaultThreads: () => preloaded.length + 1,
  enableRelaxedSimd() {
    // browsers that have relaxed SIMD ship it on (Chromium since 114); nothing to switch
  },
  startWorkers,
};
