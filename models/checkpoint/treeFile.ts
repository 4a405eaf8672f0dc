import { HostTensor } from '../../dsl/host.ts';
import { flatten, unflatten, type TreeDef } from '../../dsl/tree.ts';
import { MissingTensorError, SafetensorsFormatError, TensorNameError, TensorShapeError, UnexpectedTensorError } from './errors.ts';
import { hfBertEntries, hfBertShapeOfNames, isHfBertName, isIgnoredHfName, type HfBertShape, type HfEntry } from './hfBert.ts';
import { hfElectraEntries, hfElectraShapeOfPaths } from './hfElectra.ts';
import { hostToWrite, rawToHost } from './hostTensors.ts';
import { encodeSafetensors, type RawTensor, type SafetensorsContents, type TensorToWrite } from './safetensors.ts';
import { checkStorableKey, defFromPaths, pathsOfDef } from './treePaths.ts';

/**
 * Pytrees of host tensors stored in one safetensors file, in named sections (a model file holds
 * `params` and `extra`, an optimizer file `m` and `v`...). A leaf is stored under `prefix + path`
 * (its pytree path), except the leaves of an MLM subtree (`hfBertPath`), which get Hugging Face
 * BERT names. The metadata records, per section, the prefix, the HF subtree and the structure,
 * and the axis names of every non-HF tensor, so a file reloads into the same trees without an
 * expected structure. Files without that metadata (e.g. from transformers) load too: HF names map
 * back to pretext paths, other names are taken as paths.
 */
export interface TreeSection {
  readonly key: string;
  /** Tree of HostTensor leaves. */
  readonly tree: unknown;
  readonly prefix: string;
  /** Path (within the tree) of an MLM subtree ({ encoder, mlmHead }) to store under HF BERT names; '' = the root. */
  readonly hfBertPath?: string | undefined;
  /** Which HF names the subtree at hfBertPath gets: 'bert' (default; an MLM model) or 'electra' (ElectraParams, see hfElectra.ts). */
  readonly hfLayout?: HfLayout | undefined;
}

export type HfLayout = 'bert' | 'electra';

export const META_FORMAT = 'format';
export const META_VERSION = 'pretext.version';
export const META_SECTIONS = 'pretext.sections';
export const META_AXES = 'pretext.axes';

interface SectionMeta {
  readonly key: string;
  readonly prefix: string;
  readonly hfBertPath: string | null;
  /** Absent for 'bert' (files written before layouts existed). */
  readonly hfLayout?: HfLayout;
  readonly def: TreeDef;
}

/** A loaded tree, and the stored name of each of its leaf paths (for error messages). */
export interface LoadedTree {
  readonly tree: unknown;
  readonly names: ReadonlyMap<string, string>;
  /** How the section names its leaves (to name the tensors an expected tree wants). */
  readonly prefix: string;
  readonly hfBertPath: string | undefined;
  readonly hfLayout?: HfLayout | undefined;
}

/** The stored name of each of these leaf paths in a section named with `prefix` / `hfBertPath` / `hfLayout`. */
export function storedNames(paths: readonly string[], prefix: string, hfBertPath: string | undefined, hfLayout?: HfLayout): Map<string, string> {
  const naming = new SectionNaming(prefix, hfBertPath, paths, hfLayout);
  return new Map(paths.map((p) => [p, naming.entry(p).name]));
}

const isHost = (x: unknown): x is HostTensor => x instanceof HostTensor;

const under = (path: string, base: string): string | undefined =>
  base === '' ? path : path.startsWith(`${base}.`) ? path.slice(base.length + 1) : undefined;
const join = (base: string, rel: string): string => (base === '' ? rel : `${base}.${rel}`);

/** The HF shape of an MLM subtree from its leaf paths (relative to the subtree). */
function hfShapeOfPaths(rel: readonly string[]): HfBertShape {
  let layers = 0;
  for (const p of rel) {
    const m = /^encoder\.layers\[(\d+)\]/.exec(p);
    if (m) layers = Math.max(layers, Number(m[1]) + 1);
  }
  return {
    layers,
    tokenType: rel.includes('encoder.embeddings.tokenType'),
    finalLn: rel.some((p) => p.startsWith('encoder.finalLn.')),
    embeddingProjection: rel.some((p) => p.startsWith('encoder.embeddingProjection.')),
    sequenceClassifier: rel.includes('classifier.w'),
  };
}

/** Maps a leaf path of a section to its stored name and how it is stored. */
class SectionNaming {
  private readonly hf = new Map<string, HfEntry>();
  constructor(
    readonly prefix: string,
    readonly hfBertPath: string | undefined,
    paths: readonly string[],
    hfLayout: HfLayout = 'bert',
  ) {
    if (hfBertPath === undefined) return;
    const rel = paths.map((p) => under(p, hfBertPath)).filter((p): p is string => p !== undefined);
    const table = hfLayout === 'electra' ? hfElectraEntries(hfElectraShapeOfPaths(rel)) : hfBertEntries(hfShapeOfPaths(rel));
    for (const e of table) this.hf.set(join(hfBertPath, e.path), e);
  }
  entry(path: string): { name: string; hf: HfEntry | undefined } {
    const hf = this.hf.get(path);
    return { name: hf ? hf.name : this.prefix + path, hf };
  }
}

function checkPaths(def: TreeDef, tree: unknown, where: string): string[] {
  const paths = pathsOfDef(def);
  if (paths.length === 1 && paths[0] === '') throw new TensorNameError(`${where}: a bare tensor cannot be stored as a tree; wrap it in an object`, { where });
  const walk = (d: TreeDef, t: unknown, at: string) => {
    if (d.kind === 'object') d.keys.forEach((k, i) => {
      checkStorableKey(k, at ? `${at}.${k}` : k, where);
      walk(d.children[i]!, (t as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
    });
    if (d.kind === 'array') d.children.forEach((c, i) => walk(c, (t as unknown[])[i], `${at}[${i}]`));
  };
  walk(def, tree, '');
  return paths;
}

/** The bytes of a safetensors file holding these sections. */
export function encodeTreeFile(sections: readonly TreeSection[], file: string, metadata: Readonly<Record<string, string>> = {}): Uint8Array[] {
  const tensors: TensorToWrite[] = [];
  const axes: Record<string, readonly string[]> = {};
  const metas: SectionMeta[] = [];
  const owner = new Map<string, string>();
  for (const s of sections) {
    const { leaves, def } = flatten<HostTensor>(s.tree, isHost);
    const paths = leaves.length > 0 ? checkPaths(def, s.tree, `${file} [${s.key}]`) : [];
    const naming = new SectionNaming(s.prefix, s.hfBertPath, paths, s.hfLayout);
    leaves.forEach((leaf, i) => {
      const { name, hf } = naming.entry(paths[i]!);
      const prev = owner.get(name);
      if (prev !== undefined) {
        throw new TensorNameError(`${file}: tensor name "${name}" of ${s.key}.${paths[i]} is also used by ${prev}`, { file, tensor: name });
      }
      owner.set(name, `${s.key}.${paths[i]}`);
      if (!hf) axes[name] = leaf.axes;
      const t = hostToWrite(name, leaf, hf?.transpose ?? false);
      tensors.push(hf?.unsqueeze ? { ...t, shape: [1, ...t.shape] } : t);
    });
    metas.push({ key: s.key, prefix: s.prefix, hfBertPath: s.hfBertPath ?? null, ...(s.hfLayout && s.hfLayout !== 'bert' ? { hfLayout: s.hfLayout } : {}), def });
  }
  return encodeSafetensors(tensors, {
    [META_FORMAT]: 'pt',
    [META_VERSION]: '1',
    ...metadata,
    [META_SECTIONS]: JSON.stringify(metas),
    [META_AXES]: JSON.stringify(axes),
  });
}

function parseJsonMeta<T>(contents: SafetensorsContents, key: string, file: string, check: (v: unknown) => boolean): T | undefined {
  const text = contents.metadata[key];
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!check(value)) throw new SafetensorsFormatError(`${file}: metadata "${key}" is not valid`, { file, field: key });
  return value as T;
}

const isDef = (d: unknown): boolean => {
  if (typeof d !== 'object' || d === null) return false;
  const x = d as Record<string, unknown>;
  if (x.kind === 'leaf') return true;
  if (x.kind === 'array') return Array.isArray(x.children) && x.children.every(isDef);
  return x.kind === 'object' && Array.isArray(x.keys) && x.keys.every((k) => typeof k === 'string') && Array.isArray(x.children) &&
    x.children.length === x.keys.length && x.children.every(isDef);
};
const isSectionList = (v: unknown): boolean =>
  Array.isArray(v) && v.every((s) => typeof s === 'object' && s !== null && typeof s.key === 'string' && typeof s.prefix === 'string' &&
    (s.hfBertPath === null || typeof s.hfBertPath === 'string') && (s.hfLayout === undefined || s.hfLayout === 'bert' || s.hfLayout === 'electra') && isDef(s.def));
const isAxesMap = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((a) => Array.isArray(a) && a.every((x) => typeof x === 'string'));

/** A torch Linear(h, 1) weight [1, h] or bias [1] without its leading axis. */
function squeezeLeading(raw: RawTensor, file: string): RawTensor {
  if (raw.shape[0] !== 1) throw new TensorShapeError(`${file}: tensor "${raw.name}" should have a leading axis of size 1, got shape [${raw.shape.join(', ')}]`, { file, tensor: raw.name, got: raw.shape });
  return { ...raw, shape: raw.shape.slice(1) };
}

/** Paths of names claimed by a section of a file without pretext metadata. */
function claimForeign(names: readonly string[], prefix: string, hfBertPath: string | undefined, claimed: Set<string>): string[] {
  const paths: string[] = [];
  const table = hfBertPath !== undefined ? hfBertEntries(hfBertShapeOfNames(names)) : [];
  const byName = new Map(table.map((e) => [e.name, e]));
  for (const n of names) {
    if (claimed.has(n)) continue;
    const hf = byName.get(n);
    if (hf) paths.push(join(hfBertPath!, hf.path));
    else if (n.startsWith(prefix) && !(hfBertPath !== undefined && isHfBertName(n))) paths.push(n.slice(prefix.length));
    else continue;
    claimed.add(n);
  }
  return paths;
}

/**
 * The trees of a decoded file, by section key. Every tensor must belong to a section (HF names a
 * BERT model does not use, such as tied decoder weights or position_ids, are skipped); a
 * section's tensor missing from the file is reported when loading into an expected structure.
 */
export function decodeTreeFile(contents: SafetensorsContents, file: string): Map<string, LoadedTree> {
  const names = [...contents.tensors.keys()];
  const axesMeta = parseJsonMeta<Record<string, string[]>>(contents, META_AXES, file, isAxesMap) ?? {};
  let metas = parseJsonMeta<SectionMeta[]>(contents, META_SECTIONS, file, isSectionList);
  const claimed = new Set<string>();
  if (!metas) {
    const hf = names.some(isHfBertName) ? '' : null;
    const paths = claimForeign(names, '', hf ?? undefined, claimed);
    metas = [{ key: 'params', prefix: '', hfBertPath: hf, def: paths.length > 0 ? defFromPaths(paths, file) : { kind: 'object', keys: [], children: [] } }];
  }
  const out = new Map<string, LoadedTree>();
  for (const m of metas) {
    const leafPaths = pathsOfDef(m.def);
    const naming = new SectionNaming(m.prefix, m.hfBertPath ?? undefined, leafPaths, m.hfLayout);
    const map = new Map<string, string>();
    const leaves = leafPaths.map((path) => {
      const { name, hf } = naming.entry(path);
      map.set(path, name);
      claimed.add(name);
      const raw = contents.tensors.get(name);
      if (!raw) throw new MissingTensorError(`${file}: tensor "${name}" (${m.key}.${path}) is listed in the metadata but missing`, { file, tensor: name, path });
      return rawToHost(hf?.unsqueeze ? squeezeLeading(raw, file) : raw, hf?.axes ?? axesMeta[name] ?? [], hf?.transpose ?? false, file);
    });
    out.set(m.key, { tree: unflatten(m.def, leaves), names: map, prefix: m.prefix, hfBertPath: m.hfBertPath ?? undefined, hfLayout: m.hfLayout });
  }
  for (const n of names) {
    if (!claimed.has(n) && !isIgnoredHfName(n)) {
      throw new UnexpectedTensorError(`${file}: tensor "${n}" belongs to no tree of this file (${metas.map((m) => m.key).join(', ')})`, { file, tensor: n });
    }
  }
  return out;
}
