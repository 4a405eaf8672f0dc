import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { HostTensor, TensorSpec } from '../../dsl/host.ts';
import { flatten, type MapLeaves } from '../../dsl/tree.ts';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import { CheckpointConfigError, CheckpointError, CheckpointNotFoundError } from './errors.ts';
import { CONFIG_FILE, EXTRA_PREFIX, MLM_VIEW_PREFIX, MODEL_FILE, OPTIMIZER_FILE, PARAMS_PREFIX, TRAINER_FILE, checkpointFiles } from './checkpointFiles.ts';
import { loadInto } from './loadInto.ts';
import { readBytes, readTreeFile } from './safetensorsFile.ts';
import { storedNames, type HfLayout, type LoadedTree } from './treeFile.ts';

export { CONFIG_FILE, EXTRA_PREFIX, MLM_VIEW_PREFIX, MODEL_FILE, OPTIMIZER_FILE, PARAMS_PREFIX, TRAINER_FILE };

/** What a checkpoint holds. Trees have HostTensor leaves; config and trainer are JSON values. */
export interface CheckpointContents {
  /** config.json: for models with a masked LM build it with checkpointConfig(). */
  readonly config: unknown;
  /** Trainable parameters -> model.safetensors (the MLM subtree under HF BERT names, the rest under `pretext.params.`). */
  readonly params: unknown;
  /** Non-trainable objective state (e.g. ScTD's importance table) -> model.safetensors under `pretext.extra.`. */
  readonly extra?: unknown;
  /**
   * The masked LM ({ encoder, mlmHead } host trees) when it is not a subtree of `params` (ELECTRA's
   * generator shares the embeddings with the discriminator): stored in model.safetensors under HF
   * BERT names, while `params` go under `pretext.params.` (config: `pretext.mlm = { in: 'view' }`).
   */
  readonly mlmView?: unknown;
  /** Optimizer state (e.g. AdamW { m, v }) -> optimizer.safetensors, by pytree path. */
  readonly optimizer?: unknown;
  /** trainer.json: step, seeds, data cursor, anything JSON. */
  readonly trainer?: unknown;
  /** More files to store in the directory (vocab.txt, grammar.txt...), by file name. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

export interface SaveOptions {
  /**
   * Path of the MLM subtree of `params` to store under HF BERT names; null for none. Default: none
   * when an mlmView is given, else the config's `pretext.mlm.path` when it says { in: 'params' },
   * else '' when params is an MLM model ({ encoder, mlmHead }), else none.
   */
  readonly hfBertPath?: string | null;
  /** HF names of that subtree: 'bert' (an MLM model), or 'electra' (ElectraParams). Default: 'electra' when the config has a `pretext.electra` section, else 'bert'. */
  readonly hfLayout?: HfLayout;
}

/** A loaded checkpoint. */
export interface LoadedCheckpoint<P = unknown, X = unknown, O = unknown> {
  readonly dir: string;
  readonly config: unknown;
  readonly params: P;
  /** Undefined when the checkpoint was saved without extra state. */
  readonly extra: X | undefined;
  /** The separately stored masked LM (see CheckpointContents.mlmView), if any. */
  readonly mlmView: unknown;
  /** Undefined when the checkpoint has no optimizer.safetensors. */
  readonly optimizer: O | undefined;
  readonly trainer: unknown;
  /** Stored tensor name of each leaf path, per tree (for messages). */
  readonly names: {
    readonly params: ReadonlyMap<string, string>;
    readonly extra?: ReadonlyMap<string, string>;
    readonly mlmView?: ReadonlyMap<string, string>;
    readonly optimizer?: ReadonlyMap<string, string>;
  };
}

/** Trees the caller expects (HostTensor or TensorSpec leaves, e.g. initial parameters): loading checks names, shapes and dtypes against them. */
export interface ExpectedTrees<P, X, O> {
  readonly params?: P;
  readonly extra?: X;
  readonly optimizer?: O;
}

type Loaded<T> = T extends undefined ? unknown : MapLeaves<T, TensorSpec, HostTensor>;

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const suffix = (): string => `${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;

/**
 * Writes a checkpoint directory atomically: everything goes into a temporary sibling
 * (`DIR.tmp-…`), each file is fsynced, the temporary directory is renamed to DIR. An existing DIR
 * is first renamed aside (`DIR.old-…`) and removed after the new one is in place. A crash never
 * leaves a DIR that loads half-written: DIR is either the old or the new checkpoint, or (crash
 * between the two renames) absent, with the complete old one beside it.
 */
export function saveCheckpoint(dir: string, contents: CheckpointContents, options: SaveOptions = {}): void {
  const target = resolve(dir);
  const files = checkpointFiles(contents, options, target); // validated before anything is written
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${suffix()}`;
  mkdirSync(tmp);
  try {
    for (const [name, data] of files) writeFileAtomic(join(tmp, name), data);
    fsyncDir(tmp);
    if (existsSync(target)) {
      const old = `${target}.old-${suffix()}`;
      renameSync(target, old);
      renameSync(tmp, target);
      fsyncDir(dirname(target));
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, target);
    }
    fsyncDir(dirname(target));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** A JSON file (config.json, trainer.json); a missing optional one is undefined, bad JSON a CheckpointConfigError naming it. */
export function readJson(file: string, required: boolean): unknown {
  if (!required && !existsSync(file)) return undefined;
  const text = Buffer.from(readBytes(file)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointConfigError(`${file}: not valid JSON (${(e as Error).message})`, { file });
  }
}

function section(trees: Map<string, LoadedTree>, key: string, file: string, required: boolean): LoadedTree | undefined {
  const s = trees.get(key);
  if (!s && required) throw new CheckpointError(`${file}: holds no "${key}" tree`, { file, section: key });
  return s;
}

/**
 * Loads a checkpoint directory. Without `expected`, trees are rebuilt from the files (structure
 * and axis names from their metadata; HF BERT names map back to pretext paths). With `expected`,
 * each given tree is checked against it (names, shapes, dtypes; see loadInto) and returned in its
 * structure.
 */
export function loadCheckpoint<P = undefined, X = undefined, O = undefined>(
  dir: string,
  expected: ExpectedTrees<P, X, O> = {},
): LoadedCheckpoint<Loaded<P>, Loaded<X>, Loaded<O>> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CheckpointNotFoundError(`${root}: no checkpoint directory`, { file: root });
  const modelFile = join(root, MODEL_FILE);
  const model = readTreeFile(modelFile);
  const params = section(model, 'params', modelFile, true)!;
  const extra = section(model, 'extra', modelFile, expected.extra !== undefined);
  const view = section(model, 'mlmView', modelFile, false);
  const optFile = join(root, OPTIMIZER_FILE);
  const opt = existsSync(optFile) || expected.optimizer !== undefined ? section(readTreeFile(optFile), 'optimizer', optFile, true) : undefined;
  const restore = (t: LoadedTree | undefined, want: unknown, file: string): unknown => {
    if (t === undefined) return undefined;
    if (want === undefined) return t.tree;
    const wantPaths = flatten(want, (x) => x instanceof HostTensor || x instanceof TensorSpec).paths;
    return loadInto(want, t.tree, { file, names: new Map([...storedNames(wantPaths, t.prefix, t.hfBertPath, t.hfLayout), ...t.names]) });
  };
  return {
    dir: root,
    config: readJson(join(root, CONFIG_FILE), true),
    params: restore(params, expected.params, modelFile) as Loaded<P>,
    extra: restore(extra, expected.extra, modelFile) as Loaded<X> | undefined,
    mlmView: view?.tree,
    optimizer: restore(opt, expected.optimizer, optFile) as Loaded<O> | undefined,
    trainer: readJson(join(root, TRAINER_FILE), false),
    names: { params: params.names, ...(extra ? { extra: extra.names } : {}), ...(view ? { mlmView: view.names } : {}), ...(opt ? { optimizer: opt.names } : {}) },
  };
}

// ---- run directories: step-NNNNNN checkpoints and a `latest` pointer ----

export const LATEST_FILE = 'latest';
const STEP_DIR = /^step-(\d+)$/;

/** The directory name of step `step`'s checkpoint: step-000100. */
export const checkpointName = (step: number): string => `step-${String(step).padStart(6, '0')}`;

const isComplete = (dir: string): boolean => existsSync(join(dir, MODEL_FILE)) && existsSync(join(dir, CONFIG_FILE));

/** The complete step checkpoints of a run directory, by increasing step. */
export function listCheckpoints(runDir: string): { step: number; dir: string }[] {
  if (!existsSync(runDir)) return [];
  return readdirSync(runDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && STEP_DIR.test(d.name))
    .map((d) => ({ step: Number(STEP_DIR.exec(d.name)![1]), dir: join(resolve(runDir), d.name) }))
    .filter((c) => isComplete(c.dir))
    .sort((a, b) => a.step - b.step);
}

/**
 * The current checkpoint of a run directory: the one `latest` names when that is a complete
 * step-N directory; otherwise (no pointer, or a dangling one) the complete step-N directory with
 * the highest N. Undefined when there is none. A crash after a new step directory is renamed into
 * place but before `latest` moves leaves `latest` at the previous step, which is still a whole
 * checkpoint; resuming from it rewrites the newer one.
 */
export function latestCheckpoint(runDir: string): string | undefined {
  const pointer = join(runDir, LATEST_FILE);
  if (existsSync(pointer)) {
    const name = Buffer.from(readBytes(pointer)).toString('utf8').trim();
    const dir = join(resolve(runDir), name);
    if (name === basename(name) && STEP_DIR.test(name) && isComplete(dir)) return dir;
  }
  const all = listCheckpoints(runDir);
  return all.length > 0 ? all[all.length - 1]!.dir : undefined;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes temporaries (`step-N.tmp-PID-…`, `step-N.old-PID-…`) left by writers that are no longer running. */
export function removeStaleTemporaries(runDir: string): string[] {
  if (!existsSync(runDir)) return [];
  const removed: string[] = [];
  for (const d of readdirSync(runDir)) {
    const m = /^step-\d+\.(?:tmp|old)-(\d+)-/.exec(d);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) {
      rmSync(join(runDir, d), { recursive: true, force: true });
      removed.push(d);
    }
  }
  return removed;
}

export interface RunCheckpointOptions extends SaveOptions {
  /** Keep only the newest `keep` checkpoints (default: keep all). */
  readonly keep?: number;
}

/**
 * Saves step `step` of a run: RUN/step-NNNNNN (atomically, see saveCheckpoint), then points
 * RUN/latest at it (atomic file replace), then prunes old checkpoints beyond `keep`. Returns the
 * checkpoint directory.
 */
export function saveRunCheckpoint(runDir: string, step: number, contents: CheckpointContents, options: RunCheckpointOptions = {}): string {
  if (!Number.isSafeInteger(step) || step < 0) throw new CheckpointError(`step must be a non-negative integer, got ${step}`, { step });
  removeStaleTemporaries(runDir);
  const dir = join(resolve(runDir), checkpointName(step));
  saveCheckpoint(dir, contents, options);
  writeFileAtomic(join(runDir, LATEST_FILE), `${checkpointName(step)}\n`);
  if (options.keep !== undefined && options.keep >= 1) {
    const all = listCheckpoints(runDir);
    for (const c of all.slice(0, Math.max(0, all.length - options.keep))) if (c.dir !== dir) rmSync(c.dir, { recursive: true, force: true });
  }
  return dir;
}
