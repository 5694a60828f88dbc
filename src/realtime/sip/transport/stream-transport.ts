import type net from 'node:net';
import { StreamFramer } from './stream-framer.ts';
import {
  TransportError,
  type FlowId,
  type InboundPacket,
  type MessageSource,
  type SendTarget,
  type Transport,
} from './transport.ts';

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

type Connection = {
  readonly flowId: FlowId;
  readonly socket: net.Socket;
  readonly framer: StreamFramer;
  readonly remoteKey: string;
  readonly source: MessageSource;
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
  readonly #byFlow = new Map<FlowId, Connection>();
  readonly #byRemote = new Map<string, Connection>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  #handler: (packet: InboundPacket) => void = () => {};
  #nextId = 1;
  #localAddress = '';
  #localPort = 0;
  #closed: Promise<void> | undefined;

  private constructor(factory: StreamSocketFactory, options: StreamTransportOptions) {
    this.#factory = factory;
    this.#options = options;
    this.protocol = factory.protocol;
    this.#server = factory.createServer((socket) => this.#adopt(socket));
  }

  static async listen(factory: StreamSocketFactory, options: StreamTransportOptions): Promise<StreamTransport> {
    const transport = new StreamTransport(factory, options);
    const server = transport.#server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new TransportError('stream server has no address');
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
    if (conn.socket.destroyed) throw new TransportError(`connection ${conn.flowId} is closed`);
    conn.socket.write(data);
    return conn.flowId;
  }

  #connect(address: string, port: number): Promise<Connection> {
    const key = remoteKey(address, port);
    const pending = this.#connecting.get(key);
    if (pending) return pending;
    const attempt = new Promise<Connection>((resolve, reject) => {
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
    }).finally(() => this.#connecting.delete(key));
    this.#connecting.set(key, attempt);
    return attempt;
  }

  #adopt(socket: net.Socket, address?: string, port?: number): Connection {
    const remoteAddress = address ?? normaliseAddress(socket.remoteAddress ?? '');
    const remotePort = port ?? socket.remotePort ?? 0;
    const flowId = `${this.protocol}:${this.#nextId++}:${remoteAddress}:${remotePort}`;
    const conn: Connection = {
      flowId,
      socket,
      framer: new StreamFramer(this.#options.maxMessageSize),
      remoteKey: remoteKey(remoteAddress, remotePort),
      source: {
        protocol: this.protocol,
        address: remoteAddress,
        port: remotePort,
        flowId,
        localAddress: this.#localAddress,
        localPort: this.#localPort,
      },
      incompleteTimer: undefined,
    };
    this.#byFlow.set(flowId, conn);
    this.#byRemote.set(conn.remoteKey, conn);
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
    this.#byFlow.delete(conn.flowId);
    if (this.#byRemote.get(conn.remoteKey) === conn) this.#byRemote.delete(conn.remoteKey);
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const conn of this.#byFlow.values()) conn.socket.destroy();
    });
    return this.#closed;
  }
}

function remoteKey(address: string, port: number): string {
  return `${normaliseAddress(address).toLowerCase()}|${port}`;
}

/** "::ffff:127.0.0.1" (dual-stack sockets) is the IPv4 peer 127.0.0.1. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
