import { join } from 'node:path';
import type { TrainJob } from '../cli/train/resolveJob.ts';
import { canonicalJson } from './canonical.ts';
import type { Study } from './defineStudy.ts';
import { type RunSpec, resolveRun } from './runConfig.ts';
import { deepMerge, expandDotted } from './runList.ts';
import { flattenConfig } from './configColumns.ts';

/** Config keys that only reseed a run. */
const SEED_KEYS = new Set(['seed', 'train.seed']);

export interface PlannedRun extends RunSpec {
  readonly job: TrainJob;
  /** <study folder>/runs/<id> */
  readonly runDir: string;
  /** The config values that differ between the study's runs, e.g. "objective=mlm seed=1". */
  readonly label: string;
  /** The label without the seed: runs that differ only by seed form a group (mean ± std, bands). */
  readonly group: string;
}

export interface StudyPlan {
  readonly study: Study;
  /** <out>/<study name> */
  readonly dir: string;
  /** Every run once (configs that resolve to the same id are one run), each after the runs it starts from. */
  readonly runs: readonly PlannedRun[];
}

/**
 * Resolves every run of a study: base merged under each run config, dotted keys expanded,
 * validated as `pretext train` validates its config, budgets turned into step counts, ids from
 * the resolved jobs. A run's `init` given as a run config adds that run (trained first).
 */
export function planStudy(study: Study, baseDir: string, outDir: string): StudyPlan {
  const dir = join(outDir, study.name);
  const base = expandDotted(study.base ?? {});
  const byId = new Map<string, RunSpec & { job: TrainJob }>();
  const byConfig = new Map<string, RunSpec & { job: TrainJob }>();
  const resolveConfig = (config: Record<string, unknown>, where: string): RunSpec & { job: TrainJob } => {
    const key = canonicalJson(config);
    const known = byConfig.get(key);
    if (known) return known;
    const run = resolveRun(config, baseDir, (init) => resolveConfig(deepMerge(base, expandDotted(init)), `${where} (its init)`), where);
    byConfig.set(key, run);
    if (!byId.has(run.id)) byId.set(run.id, run);
    return run;
  };
  study.runs.forEach((r, i) => resolveConfig(deepMerge(base, expandDotted(r)), `study ${study.name}: run ${i + 1}`));
  const specs = [...byId.values()];
  const flat = specs.map((s) => flattenConfig(s.config));
  const varying = [...new Set(flat.flatMap((f) => Object.keys(f)))].filter((k) => new Set(flat.map((f) => JSON.stringify(f[k] ?? null))).size > 1);
  // keys a run does not set are left out ("budget.steps=200", not "budget.steps=200 model.hidden=-"): distinct configs still get distinct labels
  const describe = (i: number, keys: readonly string[]) => keys.filter((k) => flat[i]![k] !== undefined).map((k) => `${k}=${flat[i]![k]}`).join(' ');
  // a run that continues another (init) is grouped by that run's group, not its id: SE after each seed's MLM run is one group
  const groups = new Map<string, string>();
  const runs = specs.map((s, i) => {
    const own = describe(i, varying.filter((k) => !SEED_KEYS.has(k) && !(k === 'init' && s.dependsOn)));
    const group = [own, s.dependsOn ? `init=(${groups.get(s.dependsOn)})` : ''].filter(Boolean).join(' ') || 'all';
    groups.set(s.id, group);
    return { ...s, runDir: join(dir, 'runs', s.id), label: describe(i, varying) || s.id, group };
  });
  return { study, dir, runs };
}
