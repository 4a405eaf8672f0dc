// Settings of studies/sameLossBetterDownstream.ts per --scale.

export interface SameLossScale {
  /** Training sentences of the corpus (data/studies/pcfg-N, generated when missing). */
  readonly sentences: number;
  /** Updates of the "train on" arm: the base model for each of these; the size arm trains for the middle one. */
  readonly steps: readonly [number, number, number];
  readonly seeds: readonly number[];
  readonly checkpointEvery: number;
  /** Held-out sentences of the excess loss. */
  readonly lossSentences: number;
  readonly hessian: { readonly samples: number; readonly batch: number; readonly pool: number };
  readonly probe: { readonly train: number; readonly valid: number; readonly epochs: number; readonly batch: number };
  readonly finetune: { readonly train: number; readonly valid: number; readonly epochs: number; readonly batch: number; readonly lr: number };
  /** "Near-equal loss": runs whose excess loss is at most this above the lowest. */
  readonly nearLoss: number;
}

export const SCALES: Readonly<Record<string, SameLossScale>> = {
  quick: {
    sentences: 20000, steps: [100, 200, 400], seeds: [0], checkpointEvery: 100, lossSentences: 150,
    hessian: { samples: 10, batch: 16, pool: 200 }, probe: { train: 500, valid: 300, epochs: 8, batch: 64 }, finetune: { train: 500, valid: 300, epochs: 3, batch: 32, lr: 5e-4 }, nearLoss: 0.1,
  },
  full: {
    sentences: 200000, steps: [3000, 6000, 12000], seeds: [0, 1, 2], checkpointEvery: 1000, lossSentences: 1000,
    hessian: { samples: 100, batch: 32, pool: 1000 }, probe: { train: 2000, valid: 1000, epochs: 50, batch: 512 }, finetune: { train: 2000, valid: 1000, epochs: 10, batch: 128, lr: 1e-4 }, nearLoss: 0.02,
  },
};
