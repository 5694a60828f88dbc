import { once } from 'node:events';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { runChorusCli, type CliContext } from '../../src/cli/chorus-cli.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `chorus <args>` in this process, with stdout/stderr captured; `extra` adds context (offline openers, poll interval). */
export async function runCliInProcess(args: readonly string[], env: NodeJS.ProcessEnv, extra: Partial<Omit<CliContext, 'env' | 'stdout' | 'stderr'>> = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const code = await runChorusCli(args, { env, stdout, stderr, ...extra });
  return { code, stdout: out, stderr: err };
}

/** A loopback port with nothing listening: bound by the system, then released (for "no server answers"). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('the probe server has no TCP address');
  return address.port;
}
