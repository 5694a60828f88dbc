import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  TransportError,
  type FlowId,
  type InboundPacket,
  type MessageSource,
  type SendTarget,
  type Transport,
} from './transport.ts';

/** The WebSocket subprotocol of SIP (RFC 7118 §4.1). */
export const SIP_SUBPROTOCOL = 'sip';

export type WsTransportOptions = {
  readonly host: string;
  readonly port: number;
  /** Frames larger than this close the connection (ws answers 1009). */
  readonly maxMessageSize: number;
  /** Close a connection that carried nothing for this long (default 15 min). */
  readonly idleTimeoutMs?: number;
  /** Outgoing connection attempt limit (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Present for WSS (RFC 7118 §5: SIP over secure WebSocket); absent for plain WS. */
  readonly tls?: {
    readonly cert: string | Buffer;
    readonly key: string | Buffer;
    /** CA bundle to verify servers we connect to; defaults to Node's. */
    readonly ca?: string | Buffer;
    /** Verify the certificate of servers we connect to (default true). */
    readonly verifyPeers?: boolean;
  };
};

type Connection = {
  readonly flowId: FlowId;
  readonly socket: WebSocket;
  readonly remoteKey: string;
  readonly source: MessageSource;
};

/**
 * SIP over WebSocket (RFC 7118): the `sip` subprotocol, one SIP message per
 * frame (so no Content-Length framing), sent as a text frame unless the body
 * is not UTF-8. A connection that does not negotiate `sip` is closed (1002).
 * Like TCP, a connection is a flow: messages to a registered WebSocket client
 * (which has no reachable address of its own, RFC 7118 §6) go back over it.
 * WebSocket pings are answered by `ws`; a frame of bare CRLFs is taken as an
 * RFC 5626 keep-alive.
 */
export class WsTransport implements Transport {
  readonly reliable = true;
  readonly protocol: 'ws' | 'wss';
  readonly #options: WsTransportOptions;
  readonly #http: http.Server;
  readonly #wss: WebSocketServer;
  readonly #byFlow = new Map<FlowId, Connection>();
  readonly #byRemote = new Map<string, Connection>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  #handler: (packet: InboundPacket) => void = () => {};
  #nextId = 1;
  #localAddress = '';
  #localPort = 0;
  #closed: Promise<void> | undefined;

  private constructor(options: WsTransportOptions) {
    this.#options = options;
    this.protocol = options.tls ? 'wss' : 'ws';
    this.#http = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }) : http.createServer();
    // A plain HTTP request to the SIP port gets a short answer, not a hanging socket.
    this.#http.on('request', (_req, res) => res.writeHead(426, { Upgrade: 'websocket' }).end());
    this.#wss = new WebSocketServer({
      server: this.#http,
      maxPayload: options.maxMessageSize,
      handleProtocols: (protocols) => (protocols.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
    });
    this.#wss.on('connection', (socket, request) => {
      if (socket.protocol !== SIP_SUBPROTOCOL) {
        socket.close(1002, 'the sip subprotocol is required');
        return;
      }
      this.#adopt(socket, request.socket);
    });
    this.#wss.on('error', () => {});
  }

  static async listen(options: WsTransportOptions): Promise<WsTransport> {
    const transport = new WsTransport(options);
    const server = transport.#http;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new TransportError('WebSocket server has no address');
    transport.#localAddress = addr.address;
    transport.#localPort = addr.port;
    server.on('error', () => {});
    return transport;
  }

  get localAddress(): string {
    return this.#localAddress;
  }

  get localPort(): number {
    return this.#localPort;
  }

  get connectionCount(): number {
    return this.#byFlow.size;
  }

  onPacket(handler: (packet: InboundPacket) => void): void {
    this.#handler = handler;
  }

  hasFlow(flowId: FlowId): boolean {
    return this.#byFlow.has(flowId);
  }

  async send(target: SendTarget, data: Buffer): Promise<FlowId> {
    if (this.#closed) throw new TransportError(`${this.protocol} transport is closed`);
    let conn = target.flowId === undefined ? undefined : this.#byFlow.get(target.flowId);
    conn ??= this.#byRemote.get(remoteKey(target.address, target.port));
    conn ??= await this.#connect(target.address, target.port);
    if (conn.socket.readyState !== WebSocket.OPEN) throw new TransportError(`connection ${conn.flowId} is closed`);
    const socket = conn.socket;
    await new Promise<void>((resolve, reject) => {
      socket.send(data, { binary: !isUtf8(data) }, (error) => {
        if (error) reject(new TransportError(`send over ${conn.flowId} failed`, { cause: error }));
        else resolve();
      });
    });
    return conn.flowId;
  }

  #connect(address: string, port: number): Promise<Connection> {
    const key = remoteKey(address, port);
    const pending = this.#connecting.get(key);
    if (pending) return pending;
    const host = address.includes(':') ? `[${address}]` : address;
    const tls = this.#options.tls;
    const attempt = new Promise<Connection>((resolve, reject) => {
      const socket = new WebSocket(`${this.protocol}://${host}:${port}`, SIP_SUBPROTOCOL, {
        handshakeTimeout: this.#options.connectTimeoutMs ?? 10_000,
        maxPayload: this.#options.maxMessageSize,
        ...(tls?.ca !== undefined ? { ca: tls.ca } : {}),
        rejectUnauthorized: tls?.verifyPeers ?? true,
      });
      socket.once('error', (error) => reject(new TransportError(`connect to ${address}:${port} failed`, { cause: error })));
      socket.once('open', () => {
        if (socket.protocol !== SIP_SUBPROTOCOL) {
          socket.close(1002, 'the sip subprotocol is required');
          reject(new TransportError(`${address}:${port} did not accept the sip subprotocol`));
          return;
        }
        const raw = (socket as unknown as { _socket?: Duplex })._socket;
        resolve(this.#adopt(socket, raw, address, port));
      });
    }).finally(() => this.#connecting.delete(key));
    this.#connecting.set(key, attempt);
    return attempt;
  }

  #adopt(socket: WebSocket, raw: Duplex | undefined, address?: string, port?: number): Connection {
    const net = raw as { remoteAddress?: string; remotePort?: number; setTimeout?: (ms: number, cb: () => void) => void } | undefined;
    const remoteAddress = address ?? normaliseAddress(net?.remoteAddress ?? '');
    const remotePort = port ?? net?.remotePort ?? 0;
    const flowId = `${this.protocol}:${this.#nextId++}:${remoteAddress}:${remotePort}`;
    const conn: Connection = {
      flowId,
      socket,
      remoteKey: remoteKey(remoteAddress, remotePort),
      source: {
        protocol: this.protocol,
        address: remoteAddress,
        port: remotePort,
        flowId,
        localAddress: this.#localAddress,
        localPort: this.#localPort,
      },
    };
    this.#byFlow.set(flowId, conn);
    this.#byRemote.set(conn.remoteKey, conn);
    net?.setTimeout?.(this.#options.idleTimeoutMs ?? 15 * 60_000, () => socket.terminate());
    socket.on('message', (data: RawData) => this.#receive(conn, toBuffer(data)));
    socket.on('error', () => socket.terminate());
    socket.on('close', () => this.#forget(conn));
    return conn;
  }

  #receive(conn: Connection, data: Buffer): void {
    if (/^[\r\n]*$/.test(data.toString('latin1'))) {
      this.#handler({ kind: 'keepalive', source: conn.source });
      return;
    }
    this.#handler({ kind: 'message', data, source: conn.source });
  }

  #forget(conn: Connection): void {
    this.#byFlow.delete(conn.flowId);
    if (this.#byRemote.get(conn.remoteKey) === conn) this.#byRemote.delete(conn.remoteKey);
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      for (const conn of this.#byFlow.values()) conn.socket.terminate();
      this.#wss.close(() => this.#http.close(() => resolve()));
    });
    return this.#closed;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function remoteKey(address: string, port: number): string {
  return `${normaliseAddress(address).toLowerCase()}|${port}`;
}

function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
