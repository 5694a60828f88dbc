import type net from 'node:net';
import tls from 'node:tls';
import { StreamTransport, type StreamSocketFactory, type StreamTransportOptions } from './stream-transport.ts';

export type TlsTransportOptions = StreamTransportOptions & {
  /** PEM certificate chain and key presented to clients. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** CA bundle to verify peers we connect to; defaults to Node's. */
  readonly ca?: string | Buffer;
  /** Verify the certificate of servers we connect to (default true). */
  readonly verifyPeers?: boolean;
};

/** SIP over TLS (RFC 3261 §26.2.1, port 5061): the TCP transport over node:tls sockets. */
export function listenTls(options: TlsTransportOptions): Promise<StreamTransport> {
  const factory: StreamSocketFactory = {
    protocol: 'tls',
    createServer: (onConnection) =>
      tls.createServer({ cert: options.cert, key: options.key }, (socket: tls.TLSSocket) => onConnection(socket as net.Socket)),
    connect: (address, port) => ({
      socket: tls.connect({
        host: address,
        port,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        rejectUnauthorized: options.verifyPeers ?? true,
      }),
      ready: 'secureConnect',
    }),
  };
  return StreamTransport.listen(factory, options);
}
