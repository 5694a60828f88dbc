import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ConnectionTable, type TableConnection } from './connection-table.ts';
import { listenServer } from './listen-server.ts';
import { TransportError, type FlowId, type InboundPacket, type SendTarget, type Transport } from './transport.ts';

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

type Connection = TableConnection & {
  readonly socket: WebSocket;
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
  readonly #connections: ConnectionTable<Connection>;
  #handler: (packet: InboundPacket) => void = () => {};
  #closed: Promise<void> | undefined;

  private constructor(options: WsTransportOptions) {
    this.#options = options;
    this.protocol = options.tls ? 'wss' : 'ws';
    this.#connections = new ConnectionTable(this.protocol);
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
    const local = await listenServer(transport.#http, options.host, options.port, 'WebSocket server');
    transport.#connections.bindLocal(local.address, local.port);
    return transport;
  }

  get localAddress(): string {
    return this.#connections.localAddress;
  }

  get localPort(): number {
    return this.#connections.localPort;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  onPacket(handler: (packet: InboundPacket) => void): void {
    this.#handler = handler;
  }

  hasFlow(flowId: FlowId): boolean {
    return this.#connections.has(flowId);
  }

  async send(target: SendTarget, data: Buffer): Promise<FlowId> {
    if (this.#closed) throw new TransportError(`${this.protocol} transport is closed`);
    const conn = this.#connections.find(target) ?? (await this.#connect(target.address, target.port));
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
    return this.#connections.connectOnce(address, port, () => this.#open(address, port));
  }

  #open(address: string, port: number): Promise<Connection> {
    const host = address.includes(':') ? `[${address}]` : address;
    const tls = this.#options.tls;
    return new Promise<Connection>((resolve, reject) => {
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
    });
  }

  #adopt(socket: WebSocket, raw: Duplex | undefined, address?: string, port?: number): Connection {
    const net = raw as { remoteAddress?: string; remotePort?: number; setTimeout?: (ms: number, cb: () => void) => void } | undefined;
    const conn: Connection = { ...this.#connections.identify(address, port, net), socket };
    this.#connections.add(conn);
    net?.setTimeout?.(this.#options.idleTimeoutMs ?? 15 * 60_000, () => socket.terminate());
    socket.on('message', (data: RawData) => this.#receive(conn, toBuffer(data)));
    socket.on('error', () => socket.terminate());
    socket.on('close', () => this.#connections.remove(conn));
    return conn;
  }

  #receive(conn: Connection, data: Buffer): void {
    if (/^[\r\n]*$/.test(data.toString('latin1'))) {
      this.#handler({ kind: 'keepalive', source: conn.source });
      return;
    }
    this.#handler({ kind: 'message', data, source: conn.source });
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      for (const conn of this.#connections.connections()) conn.socket.terminate();
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
