import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` until it holds; for states reached asynchronously after an
 * await the test already did (e.g. `live` after the last batch). Fails with
 * `what` after `timeoutMs`, which is a hang guard, not a speed assertion.
 */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}
