/**
 * `npm start`: the Standard Edition in one process, configured from the
 * environment (see src/config/config.ts).
 */
import { exitWhenDrained } from './edition/process-exit.ts';
import { runStandardEditionProcess } from './edition/standard-edition-process.ts';

exitWhenDrained(await runStandardEditionProcess({ env: process.env, stderr: process.stderr }));
