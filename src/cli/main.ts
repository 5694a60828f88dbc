/** Entry point of the `chorus` command (bin/chorus.js loads it through tsx). */
import { exitWhenDrained } from '../edition/process-exit.ts';
import type { OfflineBackendOpener } from './chorus-backend.ts';
import type { OfflineLogOpener } from './offline-log.ts';
import type { AuditDatabaseOpener } from './audit-database.ts';
import { runChorusCli } from './chorus-cli.ts';

// Loaded on demand: the log adapters and every domain projection would slow down each command that never goes offline.
const openOfflineBackend: OfflineBackendOpener = async (env) => (await import('./offline-backend-opener.ts')).openOfflineBackend(env);
const openOfflineLog: OfflineLogOpener = async (env) => (await import('./offline-log.ts')).openOfflineLog(env);
const openAuditDatabase: AuditDatabaseOpener = async (env) => (await import('./audit-database.ts')).openAuditDatabase(env);

exitWhenDrained(
  await runChorusCli(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    openOfflineBackend,
    openOfflineLog,
    openAuditDatabase,
  }),
);
