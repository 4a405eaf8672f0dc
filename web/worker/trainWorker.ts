// The page's training worker (a module Web Worker): trains a TrainingSession step by step,
// yielding to its event loop between steps so pause, predictions and downloads are answered
// while it trains. CPU kernels run on pool workers when the page is cross-origin isolated.
import { canUseThreads, preloadPoolWorkers } from '../../compiler/backends/cpu/platform.browser.ts';
import { defaultThreads } from '../../compiler/backends/cpu/arena.ts';
import { sentenceAt, sentenceCount } from '../../corpora/pcfg/index.ts';
import { tarArchive } from '../session/tarArchive.ts';
import { TrainingSession } from '../session/trainingSession.ts';
import type { BackendInfo, FromWorker, ToWorker } from './protocol.ts';

/** Updates between excess-loss evaluations (each scores the held-out sentences once). */
const EXCESS_EVERY = 10;
const MAX_POOL_WORKERS = 7;

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
let session: TrainingSession | undefined;
let paused = false;
let looping = false;
let threadsReady: Promise<void> | undefined;

/** A macrotask boundary without timer clamping: lets queued messages in. */
const yieldToEvents = () => new Promise<void>((resolve) => {
  const { port1, port2 } = new MessageChannel();
  port1.onmessage = () => resolve();
  port2.postMessage(0);
});

function backendInfo(): BackendInfo {
  const threads = defaultThreads();
  const isolated = canUseThreads();
  const why = isolated ? '' : ' (one thread: the page is not cross-origin isolated, so workers cannot share memory)';
  return { backend: 'cpu', threads, crossOriginIsolated: isolated, description: `cpu: WebAssembly SIMD on ${threads} thread${threads === 1 ? '' : 's'}${why}` };
}

/** A held-out sentence with its middle word masked: the prediction box's first text. */
function exampleSentence(s: TrainingSession): string {
  const { held, grammar } = s.corpus;
  const ids = sentenceCount(held) > 0 ? [...sentenceAt(held, 0)] : [];
  const words = ids.map((t) => grammar.terminals[t]!);
  if (words.length > 0) words[Math.floor(words.length / 2)] = '[MASK]';
  return words.join(' ');
}

async function loop(): Promise<void> {
  if (looping) return;
  looping = true;
  try {
    while (session && !session.finished && !paused) {
      const report = session.trainStep();
      post({ kind: 'step', report });
      if (report.step % EXCESS_EVERY === 0 || session.finished) post({ kind: 'excess', report: session.excess() });
      await yieldToEvents();
    }
    post({ kind: 'state', state: session?.finished ? 'finished' : 'paused' });
  } finally {
    looping = false;
  }
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.kind) {
    case 'start': {
      const cores = (navigator.hardwareConcurrency || 1) - 1;
      threadsReady ??= canUseThreads() && cores > 0 ? preloadPoolWorkers(new URL('./pool-worker.js', self.location.href), Math.min(cores, MAX_POOL_WORKERS)) : Promise.resolve();
      await threadsReady;
      session = new TrainingSession(m.settings);
      paused = false;
      const first = session.excess();
      post({ kind: 'ready', backend: backendInfo(), example: exampleSentence(session), vocabSize: session.corpus.vocab.size, optimalLoss: first.optimalLoss });
      post({ kind: 'excess', report: first });
      post({ kind: 'state', state: 'training' });
      return loop();
    }
    case 'pause':
      paused = true;
      return;
    case 'resume':
      paused = false;
      post({ kind: 'state', state: 'training' });
      return loop();
    case 'predict':
      if (!session) return;
      try {
        post({ kind: 'predictions', text: m.text, predictions: session.predict(m.text) });
      } catch (e) {
        post({ kind: 'error', message: (e as Error).message, fatal: false });
      }
      return;
    case 'checkpoint': {
      if (!session) return;
      const folder = `pretext-${session.settings.objective}-step-${session.step}`;
      const tar = tarArchive(folder, [...session.checkpoint()].map(([name, data]) => [name, toBytes(data)] as const), Math.floor(Date.now() / 1000));
      post({ kind: 'checkpoint', name: `${folder}.tar`, tar }, [tar.buffer]);
    }
  }
}

function toBytes(data: string | Uint8Array | readonly Uint8Array[]): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data.slice();
  const out = new Uint8Array(data.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of data) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  handle(e.data).catch((err: unknown) => {
    post({ kind: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err), fatal: true });
  });
};
