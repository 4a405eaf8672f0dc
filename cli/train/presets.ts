import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../options.ts';
import { readTrainConfig } from './resolveJob.ts';
import type { TrainConfig } from './trainConfig.ts';

/**
 * `train --preset NAME`: a method's published settings (or a scaled "-quick" version), shipped as
 * configs/NAME.json beside the package's code (found from this module, not the working directory)
 * and validated by the same codec as `--config`.
 */
export const PRESET_DIR = fileURLToPath(new URL('../../configs/', import.meta.url));

/** The names of the presets in `dir` (default: the shipped ones), sorted. */
export function presetNames(dir = PRESET_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
}

/** A preset by name; an unknown name is an error listing the available ones. */
export function readPreset(name: string, dir = PRESET_DIR): TrainConfig {
  const names = presetNames(dir);
  if (!names.includes(name)) throw new CliError(`--preset ${name}: no such preset (available: ${names.join(', ')})`, { flag: 'preset', value: name });
  return readTrainConfig(join(dir, `${name}.json`));
}

/** One line per preset for `train --help`: its name and description. */
export function presetHelpLines(): string[] {
  const names = presetNames();
  const width = Math.max(0, ...names.map((n) => n.length));
  return names.map((n) => `  ${n.padEnd(width)}  ${readPreset(n).description ?? ''}`);
}

/**
 * The preset with a `--config` on top (preset < config < flags): model, adamw and the train
 * section merge field by field, a config's schedule replaces the preset's, and the preset's
 * objectiveOptions are kept only when the run's objective (`objective`: the flag, else the
 * config's) is the preset's, since they are another objective's options otherwise.
 */
export function applyPreset(preset: TrainConfig, config: TrainConfig, objective?: string): TrainConfig {
  const runObjective = objective ?? config.objective ?? preset.objective;
  const both = <A extends object>(a: A | undefined, b: A | undefined): A | undefined => (a || b ? { ...a, ...b } as A : undefined);
  const description = config.description ?? preset.description;
  const model = both(preset.model, config.model);
  const objectiveOptions = both(runObjective === preset.objective ? preset.objectiveOptions : undefined, config.objectiveOptions);
  const train = both(preset.train, config.train);
  const adamw = both(preset.train?.adamw, config.train?.adamw);
  return {
    ...(description !== undefined ? { description } : {}),
    ...(runObjective !== undefined ? { objective: runObjective } : {}),
    ...(model ? { model } : {}),
    ...(objectiveOptions ? { objectiveOptions } : {}),
    ...(train ? { train: { ...train, ...(adamw ? { adamw } : {}) } } : {}),
  };
}
