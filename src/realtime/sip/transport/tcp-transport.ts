import net from 'node:net';
import { StreamTransport, type StreamSocketFactory, type StreamTransportOptions } from './stream-transport.ts';

const TCP: StreamSocketFactory = {
  protocol: 'tcp',
  createServer: (onConnection) => net.createServer(onConnection),
  connect: (address, port) => ({ socket: net.connect({ host: address, port }), ready: 'connect' }),
};

/** SIP over TCP (RFC 3261 §18): Content-Length framing, connection reuse by flow and remote address. */
export function listenTcp(options: StreamTransportOptions): Promise<StreamTransport> {
  return StreamTransport.listen(TCP, options);
}
