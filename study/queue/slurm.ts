import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import type { PlannedRun, StudyPlan } from '../plan.ts';

/**
 * The study's runs in waves: a run comes one wave after the run it starts from. Slurm array task
 * i runs run i of the waves laid end to end (`pretext study task --index i`).
 */
export function slurmWaves(plan: StudyPlan): PlannedRun[][] {
  const depth = new Map<string, number>();
  const byId = new Map(plan.runs.map((r) => [r.id, r]));
  const depthOf = (r: PlannedRun): number => {
    const known = depth.get(r.id);
    if (known !== undefined) return known;
    const d = r.dependsOn !== undefined && byId.has(r.dependsOn) ? depthOf(byId.get(r.dependsOn)!) + 1 : 0;
    depth.set(r.id, d);
    return d;
  };
  const waves: PlannedRun[][] = [];
  for (const r of plan.runs) (waves[depthOf(r)] ??= []).push(r);
  return waves;
}

export const slurmTaskOrder = (plan: StudyPlan): PlannedRun[] => slurmWaves(plan).flat();

export interface SlurmOptions {
  readonly studyFile: string;
  readonly out: string;
  /** The study's --scale, for a study written per scale. */
  readonly scale?: string;
  readonly script: string;
  readonly partition?: string;
  readonly time?: string;
  readonly cpus?: number;
  readonly mem?: string;
}

const PRETEXT = fileURLToPath(new URL('../../bin/pretext.mjs', import.meta.url));
const quote = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Writes an sbatch script whose array task i runs task i (plus the offset given as its argument)
 * through the local runner's job function, and returns the commands that submit it (one array per
 * wave, each after the one before succeeded) and the one that collects the results afterwards.
 */
export function writeSlurmScript(plan: StudyPlan, o: SlurmOptions): { script: string; submit: string[]; collect: string } {
  const waves = slurmWaves(plan);
  const n = plan.runs.length;
  const file = resolve(o.studyFile);
  const out = resolve(o.out);
  const logs = join(resolve(plan.dir), 'slurm');
  mkdirSync(logs, { recursive: true });
  const scale = o.scale !== undefined ? ['--scale', o.scale] : [];
  const task = ['node', PRETEXT, 'study', 'task', file, '--out', out, ...scale].map(quote).join(' ');
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=pretext-${plan.study.name}`,
    `#SBATCH --array=0-${n - 1}`,
    `#SBATCH --output=${logs}/%x-%A_%a.out`,
    ...(o.partition !== undefined ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time !== undefined ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.cpus !== undefined ? [`#SBATCH --cpus-per-task=${o.cpus}`] : []),
    ...(o.mem !== undefined ? [`#SBATCH --mem=${o.mem}`] : []),
    `# Made by \`pretext study slurm ${quote(file)}\` on ${new Date().toISOString()}: study ${plan.study.name}, ${n} runs.`,
    '# Array task i trains and evaluates run i (+ the offset given as argument 1) with the same job',
    '# function as `pretext study run`; a task run again (requeued, resubmitted) resumes its checkpoint.',
    '# Run folders go under --out: it must be on a filesystem every node sees at the same path.',
    'set -euo pipefail',
    `cd ${quote(process.cwd())}`,
    `exec ${task} --index "$(( \${1:-0} + SLURM_ARRAY_TASK_ID ))"`,
    '',
  ];
  writeFileAtomic(o.script, lines.join('\n'));
  const script = quote(resolve(o.script));
  let offset = 0;
  const submit = waves.length === 1
    ? [`sbatch ${script}`]
    : waves.map((w, k) => {
        const line = `w${k}=$(sbatch --parsable --array=0-${w.length - 1}${k > 0 ? ` --dependency=afterok:$w${k - 1}` : ''} ${script} ${offset})`;
        offset += w.length;
        return line;
      });
  const collect = ['node', PRETEXT, 'study', 'report', file, '--out', out, ...scale].map(quote).join(' ');
  return { script: resolve(o.script), submit, collect };
}
