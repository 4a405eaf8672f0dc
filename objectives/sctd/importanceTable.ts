import { readFileSync } from 'node:fs';
import * as p from '../../dsl/index.ts';
import { type HostTensor, hostTensor } from '../../dsl/host.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { TokenGrid } from '../../models/encoder.ts';
import { SctdError } from './errors.ts';
import { DROP_IMPORTANCE, KEEP_IMPORTANCE } from './options.ts';

/** One value per vocabulary id. */
type PerId = Tensor<['vocab']>;

/** Which ids are pinned, and to what. */
export interface ImportancePins {
  readonly keepIds: readonly number[];
  readonly dropIds: readonly number[];
}

/** The initial table I ∈ R^V (a constant or an init file's values), with the pins applied. */
export function initialImportance(vocabSize: number, init: number | Float32Array, pins: ImportancePins): HostTensor<['vocab']> {
  const data = typeof init === 'number' ? new Float32Array(vocabSize).fill(init) : Float32Array.from(init);
  for (const id of pins.keepIds) data[id] = KEEP_IMPORTANCE;
  for (const id of pins.dropIds) data[id] = DROP_IMPORTANCE;
  return hostTensor(data, ['vocab'], [vocabSize]);
}

/** ['vocab'] constants: whether an id is pinned, and its pinned value. */
function pinTensors(vocabSize: number, pins: ImportancePins): { isPinned: PerId; value: PerId } {
  const isPinned = new Uint8Array(vocabSize);
  const value = new Float32Array(vocabSize);
  for (const id of pins.keepIds) (isPinned[id] = 1), (value[id] = KEEP_IMPORTANCE);
  for (const id of pins.dropIds) (isPinned[id] = 1), (value[id] = DROP_IMPORTANCE);
  return { isPinned: p.constantOf(isPinned, ['vocab'], [vocabSize], 'bool'), value: p.constantOf(value, ['vocab'], [vocabSize]) };
}

/** 1 at the ids that are not pinned (for statistics over normal tokens). */
export function freeIdMask(vocabSize: number, pins: ImportancePins): PerId {
  const m = new Float32Array(vocabSize).fill(1);
  for (const id of [...pins.keepIds, ...pins.dropIds]) m[id] = 0;
  return p.constantOf(m, ['vocab'], [vocabSize]);
}

/**
 * The importance EMA after a forward pass (no gradient): for every id y that is the label of at
 * least one masked position, I[y] ← β·I[y] + (1-β)·mean_{j: y_j = y} ℓ_j — the deterministic
 * choice for repeated ids (the released code's scatter lets one write win arbitrarily); the
 * others unchanged; then the pins are reset. nll and labels are ['batch', 'seq'] (labels -100 off
 * the selection).
 */
export function updateImportance(importance: PerId, nll: TokenGrid, labels: TokenGrid, beta: number, pins: ImportancePins): PerId {
  const V = importance.dim('vocab');
  const selected = labels.ge(0);
  const w = p.cast(selected, 'f32');
  const ids = p.where(selected, labels, 0);
  const sums = p.scatterAdd(p.stopGradient(nll).mul(w), ids, 'vocab', V);
  const counts = p.scatterAdd(w, ids, 'vocab', V);
  const mean = p.div(sums, p.maximum(counts, 1));
  const updated = p.where(counts.gt(0), importance.mul(beta).add(mean.mul(1 - beta)), importance);
  const pinned = pinTensors(V, pins);
  return p.where(pinned.isPinned, pinned.value, updated);
}

/**
 * Reads an importance init file (`--init-token-importance`): a JSON array of vocab-size numbers,
 * or text with one number per line (line i = id i). Errors name the file and the line.
 */
export function loadImportanceFile(path: string, vocabSize: number): Float32Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SctdError(`${path}: cannot read the importance file (${(e as Error).message})`, { file: path, option: 'importanceInit' });
  }
  let values: unknown[];
  if (text.trimStart().startsWith('[')) {
    try {
      values = JSON.parse(text) as unknown[];
    } catch (e) {
      throw new SctdError(`${path}: not a JSON array (${(e as Error).message})`, { file: path });
    }
  } else {
    values = text.split('\n').filter((l, i, all) => !(i === all.length - 1 && l.trim() === '')).map((l) => (l.trim() === '' ? Number.NaN : Number(l)));
  }
  if (!Array.isArray(values) || values.length !== vocabSize) {
    throw new SctdError(`${path}: ${Array.isArray(values) ? values.length : 'no'} values for a vocabulary of ${vocabSize}`, { file: path, option: 'importanceInit' });
  }
  const out = new Float32Array(vocabSize);
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SctdError(`${path}:${i + 1}: importance of id ${i} is not a finite number: ${JSON.stringify(v)}`, { file: path, line: i + 1 });
    out[i] = v;
  });
  return out;
}
