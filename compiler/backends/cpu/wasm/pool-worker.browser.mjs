// Worker of the CPU kernel pool in a browser (a module Web Worker; bundled by web/build.ts).
// Says { loaded } when its script has run, then waits for { init }; kernel registrations follow as
// messages, which a DRAIN job waits for (up to the id in REGISTERED) with the event loop running.
import { REGISTERED, makeKernel } from './pool-protocol.mjs';
import { runPoolWorker } from './pool-loop.mjs';

const kernels = [];
let memory;
let ctl;
let wake;

function drain() {
  if (kernels[Atomics.load(ctl, REGISTERED)]) return undefined;
  return new Promise((resolve) => {
    wake = () => {
      if (kernels[Atomics.load(ctl, REGISTERED)]) resolve();
    };
  });
}

self.onmessage = (e) => {
  const msg = e.data;
  if (msg.init) {
    memory = msg.init.memory;
    ctl = new Int32Array(msg.init.control);
    // runs until STOP; registrations queued meanwhile are delivered whenever a DRAIN job awaits them
    void runPoolWorker(msg.init, kernels, drain, (error) => self.postMessage({ error })).then(() => self.close());
    return;
  }
  kernels[msg.id] = makeKernel(msg, memory);
  wake?.();
};
self.postMessage({ loaded: true });
