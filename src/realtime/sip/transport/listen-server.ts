import type net from 'node:net';
import { TransportError } from './transport.ts';

/**
 * Starts `server` listening and resolves with the address and port it got
 * (port 0 asks the OS for one). A listen failure rejects; once listening,
 * later server errors are ignored, as each connection reports its own.
 */
export async function listenServer(server: net.Server, host: string, port: number, what: string): Promise<{ address: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new TransportError(`${what} has no address`);
  server.on('error', () => {});
  return { address: addr.address, port: addr.port };
}
