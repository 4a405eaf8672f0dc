import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentHash } from './canonical.ts';
import { type Study, defineStudy, isStudy, isStudyFactory } from './defineStudy.ts';
import { PretextError } from '../util/errors.ts';
import { StudyError } from './errors.ts';

export interface LoadedStudy {
  readonly study: Study;
  /** Absolute path of the study file. */
  readonly file: string;
  /** Its folder: relative corpus and init paths in the study are relative to it. */
  readonly baseDir: string;
  /** The scale a study written per scale was made with (undefined for a plain study). */
  readonly scale?: string;
}

/**
 * Carries `--scale` to the processes that load the study file again (study workers inherit the
 * environment), so they make the same study.
 */
export const STUDY_SCALE_ENV = 'PRETEXT_STUDY_SCALE';

/**
 * Imports a study file (TypeScript through tsx, which the `pretext` command registers; or
 * JavaScript) and takes its default export, which must be a defineStudy(...) value. A study
 * written per scale is made with `scale` (default: $PRETEXT_STUDY_SCALE, else 'quick'); a plain
 * study given a scale is an error (it has one setting).
 */
export async function loadStudy(file: string, scale: string | undefined = process.env[STUDY_SCALE_ENV] || undefined): Promise<LoadedStudy> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new StudyError(`${file}: no such study file`, { file });
  let mod: { default?: unknown };
  try {
    // the file's content hash in the URL: a study edited and loaded again in one process is imported anew
    mod = (await import(`${pathToFileURL(abs).href}?v=${contentHash(readFileSync(abs, 'utf8'))}`)) as { default?: unknown };
  } catch (e) {
    if (e instanceof PretextError) throw e;
    throw new StudyError(`${file}: cannot load the study (${(e as Error).message})`, { file });
  }
  const base = { file: abs, baseDir: dirname(abs) };
  if (isStudyFactory(mod.default)) return { ...base, study: defineStudy(mod.default.make({ scale: scale ?? 'quick' })), scale: scale ?? 'quick' };
  if (!isStudy(mod.default)) throw new StudyError(`${file}: its default export must be a study: export default defineStudy({ name, runs, ... })`, { file });
  if (scale !== undefined) throw new StudyError(`${file}: --scale ${scale}, but this study has one setting (a study with scales is written defineStudy(({ scale }) => ({ ... })))`, { file, flag: 'scale' });
  return { ...base, study: mod.default };
}
