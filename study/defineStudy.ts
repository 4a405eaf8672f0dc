import type { Evaluation } from './evaluation.ts';
import type { ReportItem } from './report/items.ts';
import { StudyError } from './errors.ts';
import type { RunConfig } from './runList.ts';

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
}

export interface Study extends StudyDefinition {
  readonly kind: 'pretext-study';
}

/** A study: the value a study file exports (as `export default defineStudy({...})`). */
export function defineStudy(definition: StudyDefinition): Study {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(definition.name ?? '')) throw new StudyError(`defineStudy: name must be a folder-safe word (letters, digits, . _ -), got ${JSON.stringify(definition.name)}`, { field: 'name' });
  if (!Array.isArray(definition.runs) || definition.runs.length === 0) throw new StudyError(`study ${definition.name}: runs must be a non-empty array of run configs`, { field: 'runs' });
  const names = (definition.evaluate ?? []).map((e) => e.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new StudyError(`study ${definition.name}: two evaluations are named "${dup}"`, { field: 'evaluate', name: dup });
  return { ...definition, kind: 'pretext-study' };
}

export const isStudy = (x: unknown): x is Study => typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'pretext-study';
