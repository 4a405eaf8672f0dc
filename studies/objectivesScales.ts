// Settings of studies/objectives.ts per --scale.
import type { TaskName } from '../corpora/pcfg/index.ts';

export interface ObjectivesScale {
  /** Training sentences of the corpus (data/studies/pcfg-N, generated when missing). */
  readonly sentences: number;
  /** Training FLOPs of every run (the compiled step's count). */
  readonly flops: number;
  /** SE's updates after the MLM run it continues (extra compute, in its log's flops column). */
  readonly seSteps: number;
  readonly seeds: readonly number[];
  readonly tasks: readonly TaskName[];
  readonly checkpointEvery: number;
  /** Held-out sentences of the excess loss. */
  readonly lossSentences: number;
  readonly probe: { readonly train: number; readonly valid: number; readonly epochs: number; readonly batch: number };
  readonly finetune: { readonly train: number; readonly valid: number; readonly epochs: number; readonly batch: number; readonly lr: number };
}

// probe and fine-tuning: smaller batches than spec 5b7's (512 / 128) so that a few epochs of a few hundred rows are
// more than the schedule's 50 warmup updates
export const SCALES: Readonly<Record<string, ObjectivesScale>> = {
  // npm start (pretext demo): one seed, task B
  start: {
    sentences: 20000, flops: 3e11, seSteps: 40, seeds: [0], tasks: ['B'], checkpointEvery: 50, lossSentences: 150,
    probe: { train: 500, valid: 300, epochs: 8, batch: 64 }, finetune: { train: 500, valid: 300, epochs: 3, batch: 32, lr: 5e-4 },
  },
  quick: {
    sentences: 20000, flops: 4e11, seSteps: 50, seeds: [0, 1, 2], tasks: ['A', 'B', 'C'], checkpointEvery: 50, lossSentences: 200,
    probe: { train: 500, valid: 300, epochs: 8, batch: 64 }, finetune: { train: 500, valid: 300, epochs: 3, batch: 32, lr: 5e-4 },
  },
  full: {
    sentences: 200000, flops: 2e13, seSteps: 2000, seeds: [0, 1, 2], tasks: ['A', 'B', 'C'], checkpointEvery: 1000, lossSentences: 1000,
    probe: { train: 2000, valid: 1000, epochs: 50, batch: 512 }, finetune: { train: 2000, valid: 1000, epochs: 10, batch: 128, lr: 1e-4 },
  },
};
