/** Entry point of the `chorus` command (bin/chorus.js loads it through tsx). */
import { exitWhenDrained } from '../edition/process-exit.ts';
import { runChorusCli } from './chorus-cli.ts';

exitWhenDrained(
  await runChorusCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }),
);
