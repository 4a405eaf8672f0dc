import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import { CliError } from '../options.ts';

/** The settings a demo folder's corpus and runs were made with (a rerun with them resumes). */
export interface DemoSettings {
  readonly steps: number;
  readonly sentences: number;
  readonly seed: number;
}

const SETTINGS_FILE = 'demo.json';
/** Everything the demo writes into its folder: all that --overwrite removes (nothing else is touched). */
const DEMO_ENTRIES = [SETTINGS_FILE, 'corpus', 'runs', 'results.md', 'results.json'];

/**
 * Makes `out` ready for a demo with `settings`. A demo folder (one with demo.json) is resumed
 * when its settings are the same, and with `overwrite` loses the demo's own entries first; other
 * settings without `overwrite` are an error naming the flag. A folder with demo-named entries but
 * no demo.json is an error either way (nothing that may be someone else's is deleted). Records the
 * settings in out/demo.json.
 */
export function prepareDemoFolder(out: string, settings: DemoSettings, overwrite: boolean): void {
  const file = join(out, SETTINGS_FILE);
  if (existsSync(file) && overwrite) for (const e of DEMO_ENTRIES) rmSync(join(out, e), { recursive: true, force: true });
  else if (existsSync(file)) {
    let was: Partial<Record<keyof DemoSettings, unknown>>;
    try {
      was = JSON.parse(readFileSync(file, 'utf8')) as typeof was;
    } catch (e) {
      throw new CliError(`${file}: not valid JSON (${(e as Error).message}); --overwrite starts the demo afresh`, { file });
    }
    for (const k of ['steps', 'sentences', 'seed'] as const) {
      if (was[k] !== settings[k]) {
        throw new CliError(`${out} holds a demo made with --${k} ${String(was[k])}, not ${settings[k]}: rerun with --${k} ${String(was[k])} to resume it, --overwrite to replace it, or another --out`, { flag: k, file });
      }
    }
  } else {
    const found = DEMO_ENTRIES.filter((e) => existsSync(join(out, e)));
    // without demo.json this is not known to be a demo's folder: even --overwrite deletes nothing
    if (found.length > 0) throw new CliError(`${out} already has ${found.join(', ')} but no ${SETTINGS_FILE}, so it is not a demo folder: remove them yourself, or give another --out`, { flag: 'out' });
  }
  writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`);
}
