import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentHash } from './canonical.ts';
import { type Study, isStudy } from './defineStudy.ts';
import { PretextError } from '../util/errors.ts';
import { StudyError } from './errors.ts';

export interface LoadedStudy {
  readonly study: Study;
  /** Absolute path of the study file. */
  readonly file: string;
  /** Its folder: relative corpus and init paths in the study are relative to it. */
  readonly baseDir: string;
}

/**
 * Imports a study file (TypeScript through tsx, which the `pretext` command registers; or
 * JavaScript) and takes its default export, which must be a defineStudy(...) value.
 */
export async function loadStudy(file: string): Promise<LoadedStudy> {
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
  if (!isStudy(mod.default)) throw new StudyError(`${file}: its default export must be a study: export default defineStudy({ name, runs, ... })`, { file });
  return { study: mod.default, file: abs, baseDir: dirname(abs) };
}
