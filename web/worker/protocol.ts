// Messages between the page (web/page) and its training worker (trainWorker.ts).
import type { Prediction } from '../session/predictions.ts';
import type { ExcessReport, StepReport } from '../session/trainingSession.ts';
import type { WebSettings } from '../session/settings.ts';

export type ToWorker =
  | { readonly kind: 'start'; readonly settings: WebSettings }
  | { readonly kind: 'pause' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'predict'; readonly text: string }
  | { readonly kind: 'checkpoint' };

/** How the worker computes: the cpu backend, on how many threads, and why not more. */
export interface BackendInfo {
  readonly backend: 'cpu';
  readonly threads: number;
  readonly crossOriginIsolated: boolean;
  /** One line for the page, e.g. "cpu: WebAssembly SIMD on 4 threads". */
  readonly description: string;
}

export type FromWorker =
  | { readonly kind: 'ready'; readonly backend: BackendInfo; readonly example: string; readonly vocabSize: number; readonly optimalLoss: number }
  | { readonly kind: 'step'; readonly report: StepReport }
  | { readonly kind: 'excess'; readonly report: ExcessReport }
  | { readonly kind: 'state'; readonly state: 'training' | 'paused' | 'finished' }
  | { readonly kind: 'predictions'; readonly text: string; readonly predictions: readonly Prediction[] }
  /** The checkpoint folder (model.safetensors, config.json) as one tar file: `tar -xf NAME` and `pretext eval` loads the folder. */
  | { readonly kind: 'checkpoint'; readonly name: string; readonly tar: Uint8Array }
  | { readonly kind: 'error'; readonly message: string; readonly fatal: boolean };
