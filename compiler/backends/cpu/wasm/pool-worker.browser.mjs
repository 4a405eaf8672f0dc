// Worker of the CPU kernel pool in a browser (a module Web Worker; bundled by web/build.ts).
// Says { loaded } when its script has run and gets a MessagePort back; on the port come { init },
// then kernel registrations, which a DRAIN job waits for (up to the id in REGISTERED) with the
// event loop running. (Messages on a port arrive while the pool's thread blocks in Atomics.wait;
// Worker.postMessage ones would not: see ../platform.browser.ts.)
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

function onPortMessage(port, msg) {
  if (msg.init) {
    memory = msg.init.memory;
    ctl = new Int32Array(msg.init.control);
    // runs until STOP; registrations queued meanwhile are delivered whenever a DRAIN job awaits them
    void runPoolWorker(msg.init, kernels, drain, (error) => port.postMessage({ error })).then(() => self.close());
    return;
  }
  kernels[msg.id] = makeKernel(msg, memory);
  wake?.();
}

self.onmessage = (e) => {
  const { port } = e.data;
  port.onmessage = (m) => onPortMessage(port, m.data);
  port.postMessage({ ported: true });
};
self.postMessage({ loaded: true });
