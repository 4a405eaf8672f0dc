import { CheckpointConfigError } from './errors.ts';
import { type CheckpointContents, latestCheckpoint, loadCheckpoint, saveRunCheckpoint } from './checkpointDir.ts';

/** A trainer's state as train/loop.ts keeps it: parameters, objective state, optimizer state (host trees). */
export interface TrainerStateLike {
  readonly params: unknown;
  readonly extra: unknown;
  readonly opt: unknown;
}

/** What a trainer saves and resumes from (train/trainer.ts's TrainerCheckpoint). */
export interface TrainerCheckpointLike<S extends TrainerStateLike = TrainerStateLike, C = unknown> {
  readonly state: S;
  readonly step: number;
  /** Data position (JSON). */
  readonly cursor: C;
}

export interface RunCheckpointStoreOptions<S extends TrainerStateLike> {
  /** config.json of every checkpoint (checkpointConfig(...)). */
  readonly config: unknown;
  /** Extra files written into every checkpoint (vocab.txt, grammar.txt...). */
  readonly files?: CheckpointContents['files'];
  /** Keep only the newest `keep` checkpoints. */
  readonly keep?: number;
  /** More JSON for trainer.json (seed, run name...). */
  readonly trainer?: Readonly<Record<string, unknown>>;
  /** The masked LM as host trees, when it is not a subtree of the parameters (config pretext.mlm = { in: 'view' }). */
  readonly mlmView?: (state: S) => unknown;
  /** A state of the expected structure (e.g. the initial one): resuming checks names, shapes and dtypes against it. */
  readonly expected?: S;
}

/**
 * A checkpoint store for a training run directory (RUN/step-NNNNNN + RUN/latest): `save` writes
 * params + extra to model.safetensors, opt to optimizer.safetensors, { step, cursor, ...trainer }
 * to trainer.json, atomically; `latest` loads the current checkpoint back (undefined when there
 * is none). This is the shape train/trainer.ts's CheckpointStore expects.
 */
export function runCheckpointStore<S extends TrainerStateLike, C = unknown>(runDir: string, options: RunCheckpointStoreOptions<S>) {
  return {
    /** Saves a checkpoint; returns its directory. */
    save(ck: TrainerCheckpointLike<S, C>): string {
      return saveRunCheckpoint(runDir, ck.step, {
        config: options.config,
        params: ck.state.params,
        extra: ck.state.extra,
        optimizer: ck.state.opt,
        trainer: { ...options.trainer, step: ck.step, cursor: ck.cursor },
        ...(options.files ? { files: options.files } : {}),
        ...(options.mlmView ? { mlmView: options.mlmView(ck.state) } : {}),
      }, options.keep !== undefined ? { keep: options.keep } : {});
    },
    latest(): TrainerCheckpointLike<S, C> | undefined {
      const dir = latestCheckpoint(runDir);
      if (!dir) return undefined;
      const e = options.expected;
      const loaded = loadCheckpoint(dir, e ? { params: e.params, extra: e.extra, optimizer: e.opt } : {});
      const trainer = loaded.trainer as { step?: unknown; cursor?: unknown } | undefined;
      if (typeof trainer?.step !== 'number') {
        throw new CheckpointConfigError(`${dir}/trainer.json: no numeric "step"`, { file: `${dir}/trainer.json`, field: 'step' });
      }
      const state = { params: loaded.params, extra: loaded.extra ?? {}, opt: loaded.optimizer } as unknown as S;
      return { state, step: trainer.step, cursor: trainer.cursor as C };
    },
  };
}
