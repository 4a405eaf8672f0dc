import type { Evaluation } from './evaluation.ts';
import type { ReportItem } from './report/items.ts';
import { StudyError } from './errors.ts';
import type { RunConfig } from './runList.ts';
import type { PcfgCorpusRecipe } from './corpus.ts';

export interface StudyDefinition {
  /** Folder-safe name: results go to <out>/<name>/ (default out: ./studies-out). */
  readonly name: string;
  /** Settings every run shares (corpus, model...), under each run's own keys. */
  readonly base?: RunConfig;
  /** Run configs: from grid / zip / concat / product or written out; dotted keys set nested fields. */
  readonly runs: readonly RunConfig[];
  /** Evaluations of each run's final checkpoint. */
  readonly evaluate?: readonly Evaluation[];
  /** Tables and plots of the results. */
  readonly report?: readonly ReportItem[];
  /** PCFG corpora the study generates when they are missing: folder (relative to the study file) -> `pcfg generate` settings. */
  readonly corpora?: Readonly<Record<string, PcfgCorpusRecipe>>;
}

/** What a study written as a function is given: `pretext study run FILE --scale S` (default 'quick'). */
export interface StudyContext {
  readonly scale: string;
}

/** A study written as a function of its context: `export default defineStudy(({ scale }) => ({ ... }))`. */
export interface StudyFactory {
  readonly kind: 'pretext-study-factory';
  readonly make: (ctx: StudyContext) => StudyDefinition;
}

export interface Study extends StudyDefinition {
  readonly kind: 'pretext-study';
}

/**
 * A study: the value a study file exports (as `export default defineStudy({...})`); or, given a
 * function, a study with settings per scale (`defineStudy(({ scale }) => ({...}))`, see byScale),
 * made when the file is loaded with its scale.
 */
export function defineStudy(definition: StudyDefinition): Study;
export function defineStudy(make: (ctx: StudyContext) => StudyDefinition): StudyFactory;
export function defineStudy(definition: StudyDefinition | ((ctx: StudyContext) => StudyDefinition)): Study | StudyFactory {
  if (typeof definition === 'function') return { kind: 'pretext-study-factory', make: definition };
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(definition.name ?? '')) throw new StudyError(`defineStudy: name must be a folder-safe word (letters, digits, . _ -), got ${JSON.stringify(definition.name)}`, { field: 'name' });
  if (!Array.isArray(definition.runs) || definition.runs.length === 0) throw new StudyError(`study ${definition.name}: runs must be a non-empty array of run configs`, { field: 'runs' });
  const names = (definition.evaluate ?? []).map((e) => e.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new StudyError(`study ${definition.name}: two evaluations are named "${dup}"`, { field: 'evaluate', name: dup });
  return { ...definition, kind: 'pretext-study' };
}

export const isStudy = (x: unknown): x is Study => typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'pretext-study';
export const isStudyFactory = (x: unknown): x is StudyFactory => typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'pretext-study-factory';

/** The settings of `scale` in a study written per scale: an unknown scale is an error naming the ones there are. */
export function byScale<T>(scale: string, settings: Readonly<Record<string, T>>): T {
  if (!Object.hasOwn(settings, scale)) throw new StudyError(`--scale ${scale}: this study has the scales ${Object.keys(settings).join(', ')}`, { flag: 'scale', value: scale });
  return settings[scale]!;
}
