// Worker thread of the CPU kernel pool in Node (plain JS: runs without a TypeScript loader).
// Registration messages arrive on `port`; the main thread runs a DRAIN job right after posting, so
// they are read synchronously here (the event loop never runs while the worker is in its loop).
import { workerData, receiveMessageOnPort } from 'node:worker_threads';
import { makeKernel } from './pool-protocol.mjs';
import { runPoolWorker } from './pool-loop.mjs';

const { memory, port } = workerData;
const kernels = [];

function drain() {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const msg = m.message;
    kernels[msg.id] = makeKernel(msg, memory);
  }
}

await runPoolWorker(workerData, kernels, drain, (error) => port.postMessage({ error }));
port.close();
