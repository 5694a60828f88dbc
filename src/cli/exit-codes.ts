/** Exit codes of the `chorus` command, stated in its help. */
export { EXIT_FAILURE, EXIT_OK } from '../edition/process-exit.ts';
/** The command line was wrong; nothing was done. */
export const EXIT_USAGE = 2;
