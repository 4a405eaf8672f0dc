import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { QueueError } from './errors.ts';

/**
 * Checks that this machine sees a study's folder (its plan.json, which the coordinator wrote) and
 * can write there: run folders must live on a filesystem every worker mounts at the same path.
 */
export function checkStudyFolder(studyDir: string): void {
  const where = `worker on ${hostname()}`;
  if (!existsSync(join(studyDir, 'plan.json'))) {
    throw new QueueError(`${where} cannot see the study folder ${studyDir} (no plan.json there): put --out on a filesystem every worker mounts at the same path`, { studyDir, host: hostname() });
  }
  const probe = join(studyDir, `.write-check-${hostname()}-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new QueueError(`${where} cannot write to the study folder ${studyDir} (${(e as Error).message})`, { studyDir, host: hostname() });
  }
}
