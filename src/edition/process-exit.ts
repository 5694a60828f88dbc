/** Exit codes shared by `npm start` and every `chorus` command. */
export const EXIT_OK = 0;
/** Ran and failed: bad configuration, start failure, server unreachable or refusing. */
export const EXIT_FAILURE = 1;

/** After an orderly stop the event loop should drain by itself; if a part leaked a handle, do not hang forever. */
export const EXIT_GRACE_MS = 5_000;

/**
 * Sets the exit code and lets the process end when its event loop drains,
 * which proves every part closed; forces the exit after EXIT_GRACE_MS if
 * something was left open (the unref'd timer itself keeps nothing alive).
 */
export function exitWhenDrained(exitCode: number, stderr: NodeJS.WritableStream = process.stderr): void {
  process.exitCode = exitCode;
  setTimeout(() => {
    stderr.write(`chorus: still running ${EXIT_GRACE_MS} ms after finishing (a handle was left open); exiting\n`);
    process.exit(exitCode);
  }, EXIT_GRACE_MS).unref();
}
