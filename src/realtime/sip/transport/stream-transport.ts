import type net from 'node:net';
import { ConnectionTable, type TableConnection } from './connection-table.ts';
import { listenServer } from './listen-server.ts';
import { StreamFramer } from './stream-framer.ts';
import { TransportError, type FlowId, type InboundPacket, type SendTarget, type Transport } from './transport.ts';

export type StreamTransportOptions = {
  readonly host: string;
  readonly port: number;
  readonly maxMessageSize: number;
  /** Close a connection that carried nothing for this long (default 15 min). */
  readonly idleTimeoutMs?: number;
  /** Close a connection holding an incomplete message this long (RFC 4475 §3.1.2.2 on a stream). Default 30 s. */
  readonly incompleteMessageTimeoutMs?: number;
  /** Outgoing connection attempt limit (default 10 s). */
  readonly connectTimeoutMs?: number;
};

/** The socket factory differences between TCP and TLS. */
export type StreamSocketFactory = {
  readonly protocol: 'tcp' | 'tls';
  createServer(onConnection: (socket: net.Socket) => void): net.Server;
  /** Opens a client connection; `ready` is the event that means it can carry data. */
  connect(address: string, port: number): { socket: net.Socket; ready: 'connect' | 'secureConnect' };
};

const PONG = Buffer.from('\r\n', 'latin1');

type Connection = TableConnection & {
  readonly socket: net.Socket;
  readonly framer: StreamFramer;
  incompleteTimer: NodeJS.Timeout | undefined;
};

/**
 * Connection-oriented SIP transport: accepts connections, opens them on demand,
 * and reuses an open connection for any message to the same remote address and
 * port or naming the same flow, so a NOTIFY reaches a client behind NAT over the
 * connection it registered on (RFC 5626, RFC 3261 §18.2.2).
 */
export class StreamTransport implements Transport {
  readonly reliable = true;
  readonly protocol: 'tcp' | 'tls';
  readonly #factory: StreamSocketFactory;
  readonly #options: StreamTransportOptions;
  readonly #server: net.Server;
  readonly #connections: ConnectionTable<Connection>;
  #handler: (packet: InboundPacket) => void = () => {};
  #closed: Promise<void> | undefined;

  private constructor(factory: StreamSocketFactory, options: StreamTransportOptions) {
    this.#factory = factory;
    this.#options = options;
    this.protocol = factory.protocol;
    this.#connections = new ConnectionTable(factory.protocol);
    this.#server = factory.createServer((socket) => this.#adopt(socket));
  }

  static async listen(factory: StreamSocketFactory, options: StreamTransportOptions): Promise<StreamTransport> {
    const transport = new StreamTransport(factory, options);
    const local = await listenServer(transport.#server, options.host, options.port, 'stream server');
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
    if (conn.socket.destroyed) throw new TransportError(`connection ${conn.flowId} is closed`);
    conn.socket.write(data);
    return conn.flowId;
  }

  #connect(address: string, port: number): Promise<Connection> {
    return this.#connections.connectOnce(address, port, () => this.#open(address, port));
  }

  #open(address: string, port: number): Promise<Connection> {
    return new Promise<Connection>((resolve, reject) => {
      const { socket, ready } = this.#factory.connect(address, port);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportError(`connect to ${address}:${port} timed out`));
      }, this.#options.connectTimeoutMs ?? 10_000);
      timer.unref();
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new TransportError(`connect to ${address}:${port} failed`, { cause: error }));
      });
      socket.once(ready, () => {
        clearTimeout(timer);
        resolve(this.#adopt(socket, address, port));
      });
    });
  }

  #adopt(socket: net.Socket, address?: string, port?: number): Connection {
    const conn: Connection = {
      ...this.#connections.identify(address, port, socket),
      socket,
      framer: new StreamFramer(this.#options.maxMessageSize),
      incompleteTimer: undefined,
    };
    this.#connections.add(conn);
    socket.setNoDelay(true);
    socket.setTimeout(this.#options.idleTimeoutMs ?? 15 * 60_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.#receive(conn, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#forget(conn));
    return conn;
  }

  #receive(conn: Connection, chunk: Buffer): void {
    for (const unit of conn.framer.push(chunk)) {
      switch (unit.kind) {
        case 'message':
          this.#handler({ kind: 'message', data: unit.data, source: conn.source });
          break;
        case 'ping':
          conn.socket.write(PONG);
          this.#handler({ kind: 'keepalive', source: conn.source });
          break;
        case 'error':
          this.#handler({ kind: 'framing-error', head: unit.head, reason: unit.reason, status: unit.status, source: conn.source });
          conn.socket.end();
          return;
        default: {
          const never: never = unit;
          return never;
        }
      }
    }
    this.#watchIncomplete(conn);
  }

  /** A peer that starts a message and never finishes it must not hold the connection forever. */
  #watchIncomplete(conn: Connection): void {
    if (conn.framer.pendingBytes === 0) {
      if (conn.incompleteTimer) clearTimeout(conn.incompleteTimer);
      conn.incompleteTimer = undefined;
      return;
    }
    if (conn.incompleteTimer) return;
    conn.incompleteTimer = setTimeout(() => conn.socket.destroy(), this.#options.incompleteMessageTimeoutMs ?? 30_000);
    conn.incompleteTimer.unref();
  }

  #forget(conn: Connection): void {
    if (conn.incompleteTimer) clearTimeout(conn.incompleteTimer);
    this.#connections.remove(conn);
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const conn of this.#connections.connections()) conn.socket.destroy();
    });
    return this.#closed;
  }
}
