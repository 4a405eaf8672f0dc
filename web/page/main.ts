// The page: settings form, live plots, predictions, downloads. Training runs in worker.js; this
// thread only draws, so it stays responsive.
import type { Prediction } from '../session/predictions.ts';
import type { WebSettings } from '../session/settings.ts';
import type { ExcessReport, StepReport } from '../session/trainingSession.ts';
import type { BackendInfo, FromWorker, ToWorker } from '../worker/protocol.ts';
import { drawLinePlot } from './linePlot.ts';

const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector(sel) as T;

/** What the page has seen (also read by the browser tests). */
const view = {
  steps: [] as StepReport[],
  excess: [] as ExcessReport[],
  backend: undefined as BackendInfo | undefined,
  state: 'idle' as 'idle' | 'starting' | 'training' | 'paused' | 'finished' | 'failed',
  predictions: undefined as { text: string; predictions: readonly Prediction[] } | undefined,
  errors: [] as string[],
  settings: undefined as WebSettings | undefined,
};
(globalThis as { pretextPage?: typeof view }).pretextPage = view;

let worker: Worker | undefined;
let redraw = false;
const send = (m: ToWorker) => worker?.postMessage(m);

function readSettings(): WebSettings {
  const f = new FormData($<HTMLFormElement>('#settings'));
  const n = (k: string) => Number(f.get(k));
  return {
    objective: String(f.get('objective')) as WebSettings['objective'], size: String(f.get('size')) as WebSettings['size'],
    grammarSeed: n('grammarSeed'), seed: n('seed'), sentences: n('sentences'), seqLen: 20, batchSize: n('batchSize'), steps: n('steps'), lr: n('lr'),
  };
}

function setStatus(text: string, error = false): void {
  const el = $('#status');
  el.textContent = text;
  el.className = error ? 'error' : '';
}

function onMessage(m: FromWorker): void {
  switch (m.kind) {
    case 'ready':
      view.backend = m.backend;
      $('#backend').textContent = `backend: ${m.backend.description}; vocabulary ${m.vocabSize} words; optimal single-mask loss ${m.optimalLoss.toFixed(3)} nats/word`;
      if (!$<HTMLInputElement>('#sentence').value) $<HTMLInputElement>('#sentence').value = m.example;
      $<HTMLButtonElement>('#pause').disabled = false;
      $<HTMLButtonElement>('#download').disabled = false;
      return;
    case 'step':
      view.steps.push(m.report);
      redraw = true;
      return;
    case 'excess':
      view.excess.push(m.report);
      redraw = true;
      if (m.report.step > 0) requestPredictions();
      return;
    case 'state':
      view.state = m.state;
      $('#pause').textContent = m.state === 'paused' ? 'Resume' : 'Pause';
      $<HTMLButtonElement>('#pause').disabled = m.state === 'finished';
      setStatus(m.state === 'training' ? `training ${view.settings?.objective}...` : m.state === 'paused' ? 'paused' : `finished ${view.steps.length} updates`);
      return;
    case 'predictions':
      view.predictions = m;
      $('#predictions').innerHTML = m.predictions.map((p) => `<li>${escapeHtml(p.word)} <small>${(p.prob * 100).toFixed(1)}%</small></li>`).join('');
      return;
    case 'checkpoint':
      download(m.name, m.tar);
      setStatus(`downloaded ${m.name}: tar -xf ${m.name}, then pretext eval loss --checkpoint ${m.name.replace(/\.tar$/, '')} ...`);
      return;
    case 'error':
      view.errors.push(m.message);
      if (m.fatal) view.state = 'failed';
      setStatus(m.message, true);
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function download(name: string, bytes: Uint8Array): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as BlobPart]));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function requestPredictions(): void {
  const text = $<HTMLInputElement>('#sentence').value.trim();
  if (text) send({ kind: 'predict', text });
}

/** Draws at most once a frame, however fast the steps come. */
function frame(): void {
  if (redraw) {
    redraw = false;
    const last = view.steps[view.steps.length - 1];
    const ex = view.excess[view.excess.length - 1];
    $('#m-step').textContent = last ? String(last.step) : '-';
    $('#m-loss').textContent = last ? last.loss.toFixed(4) : '-';
    $('#m-tps').textContent = last ? Math.round(last.tokensPerSecond).toLocaleString() : '-';
    $('#m-excess').textContent = ex ? ex.excessLoss.toFixed(4) : '-';
    const xMax = view.settings?.steps ?? 0;
    drawLinePlot($<SVGSVGElement>('#loss-plot'), view.steps.map((s) => [s.step, s.loss] as const), { color: '#3366cc', xMax });
    drawLinePlot($<SVGSVGElement>('#excess-plot'), view.excess.map((e) => [e.step, e.excessLoss] as const), { color: '#dc3912', xMax });
  }
  requestAnimationFrame(frame);
}

$('#settings').addEventListener('submit', (e) => {
  e.preventDefault();
  worker?.terminate();
  Object.assign(view, { steps: [], excess: [], backend: undefined, predictions: undefined, errors: [], state: 'starting', settings: readSettings() });
  redraw = true;
  setStatus('generating the corpus and compiling the training step...');
  worker = new Worker(new URL('worker.js', document.baseURI), { type: 'module' });
  worker.onmessage = (ev: MessageEvent<FromWorker>) => onMessage(ev.data);
  worker.onerror = (ev) => onMessage({ kind: 'error', message: `the training worker failed: ${ev.message}`, fatal: true });
  send({ kind: 'start', settings: view.settings! });
});
$('#pause').addEventListener('click', () => send({ kind: view.state === 'paused' ? 'resume' : 'pause' }));
$('#download').addEventListener('click', () => send({ kind: 'checkpoint' }));
$('#predict-form').addEventListener('submit', (e) => {
  e.preventDefault();
  requestPredictions();
});
requestAnimationFrame(frame);
