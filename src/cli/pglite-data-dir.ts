import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OfflineUnavailableError } from './offline-errors.ts';

/**
 * PGlite writes `postmaster.pid` into its data directory while a process has
 * it open and removes it on close. It takes no lock: a second process opening
 * the same directory succeeds and the two then corrupt each other's files
 * (checked with PGlite 0.5.16). The file is the only sign another process
 * (a `chorus serve` the CLI could not reach at CHORUS_URL) has it open. Its pid
 * is always PGlite's placeholder (-42), so a leftover file after a crash cannot
 * be told from a live owner; the message says how to clear it.
 */
const PID_FILE = 'postmaster.pid';
/** Present in every initialised PostgreSQL data directory. */
const VERSION_FILE = 'PG_VERSION';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses a directory the CLI must not open: one with no database in it (the
 * CLI never creates a log; a typo in CHORUS_DATA_DIR must not give an empty
 * one) and one another process has open.
 */
export async function assertPgliteDataDirAvailable(dataDir: string): Promise<void> {
  const dir = resolve(dataDir);
  if (!(await exists(join(dir, VERSION_FILE))))
    throw new OfflineUnavailableError(`no event log in CHORUS_DATA_DIR ${dir} (no PGlite database there)`);
  if (await exists(join(dir, PID_FILE)))
    throw new OfflineUnavailableError(
      `CHORUS_DATA_DIR ${dir} is in use by another process (${PID_FILE} present); ` +
        'run the command against that server (CHORUS_URL), or stop it first. ' +
        `If no process uses the directory (one crashed), remove ${join(dir, PID_FILE)}`,
    );
}
