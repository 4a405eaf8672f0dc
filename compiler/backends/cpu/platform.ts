// The CPU backend's host in Node: worker_threads, os.availableParallelism, V8 flags. A browser
// bundle replaces this module by platform.browser.ts.
import os from 'node:os';
import v8 from 'node:v8';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { envVar } from '../../../util/env.ts';
import type { CpuPlatform, PoolWorkerInit, PoolWorkers } from './platformTypes.ts';

const WORKER_URL = new URL('./wasm/pool-worker.mjs', import.meta.url);

function startWorkers(init: PoolWorkerInit): PoolWorkers {
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  for (let w = 1; w < init.threads; w++) {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_URL, { workerData: { ...init, port: port2, index: w }, transferList: [port2] });
    worker.unref();
    port1.unref();
    workers.push(worker);
    ports.push(port1);
  }
  return {
    post: (message) => {
      for (const port of ports) port.postMessage(message);
    },
    error: (w) => (receiveMessageOnPort(ports[w - 1]!)?.message as { error?: string } | undefined)?.error ?? `worker ${w} failed`,
    close: () => {
      for (const p of ports) p.close();
      return Promise.all(workers.map((w) => w.terminate())).then(() => undefined);
    },
  };
}

export const cpuPlatform: CpuPlatform = {
  defaultThreads() {
    const env = Number(envVar('PRETEXT_THREADS'));
    return Number.isInteger(env) && env >= 1 ? env : os.availableParallelism();
  },
  enableRelaxedSimd() {
    try {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // flags locked: the caller re-checks
    }
  },
  startWorkers,
};
