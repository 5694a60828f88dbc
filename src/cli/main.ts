/** Entry point of the `chorus` command (bin/chorus.js loads it through tsx). */
import { exitWhenDrained } from '../edition/process-exit.ts';
import type { OfflineBackendOpener } from './chorus-backend.ts';
import { runChorusCli } from './chorus-cli.ts';

// Loaded on demand: the log adapters and every domain projection would slow down each command that never goes offline.
const openOfflineBackend: OfflineBackendOpener = async (env) => (await import('./offline-backend-opener.ts')).openOfflineBackend(env);

exitWhenDrained(
  await runChorusCli(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    openOfflineBackend,
  }),
);
