import type { FlowId, MessageSource, SendTarget, TransportProtocol } from './transport.ts';

/** What the table needs of a connection; each transport adds its socket and state. */
export type TableConnection = {
  readonly flowId: FlowId;
  /** The remote address and port as the table indexes them (see `remoteKey`). */
  readonly remoteKey: string;
  readonly source: MessageSource;
};

/** The identity the table gives a new connection: its flow id, index key and message source. */
export type ConnectionIdentity = TableConnection;

/** The remote end as the socket reports it (`remoteAddress` may be the dual-stack "::ffff:" form). */
export type PeerEndpoint = { readonly remoteAddress?: string | undefined; readonly remotePort?: number | undefined };

/**
 * The open connections of one connection-oriented transport (TCP, TLS, WS,
 * WSS), by flow and by remote address, so any message to the same remote
 * address and port, or naming the same flow, reuses the connection
 * (RFC 5626, RFC 3261 §18.2.2); and at most one connection attempt per
 * remote at a time, so two messages sent together open one connection.
 * The transport owns the sockets: it adds a connection once it can carry
 * data and removes it when its socket closes.
 */
export class ConnectionTable<C extends TableConnection> {
  readonly #protocol: TransportProtocol;
  readonly #byFlow = new Map<FlowId, C>();
  readonly #byRemote = new Map<string, C>();
  readonly #connecting = new Map<string, Promise<C>>();
  #nextId = 1;
  #localAddress = '';
  #localPort = 0;

  constructor(protocol: TransportProtocol) {
    this.#protocol = protocol;
  }

  /** Where the transport listens, for the `source` of every connection identified from now on. */
  bindLocal(address: string, port: number): void {
    this.#localAddress = address;
    this.#localPort = port;
  }

  get localAddress(): string {
    return this.#localAddress;
  }

  get localPort(): number {
    return this.#localPort;
  }

  get size(): number {
    return this.#byFlow.size;
  }

  has(flowId: FlowId): boolean {
    return this.#byFlow.has(flowId);
  }

  /** The connection for `target`: its flow while that is open, else any connection to its address and port. */
  find(target: SendTarget): C | undefined {
    const byFlow = target.flowId === undefined ? undefined : this.#byFlow.get(target.flowId);
    return byFlow ?? this.#byRemote.get(remoteKey(target.address, target.port));
  }

  /**
   * A new connection's identity. `address`/`port` are what we dialled (kept
   * as given); for an accepted connection they are undefined and the peer's
   * reported endpoint is used.
   */
  identify(address: string | undefined, port: number | undefined, peer: PeerEndpoint | undefined): ConnectionIdentity {
    const remoteAddress = address ?? normaliseAddress(peer?.remoteAddress ?? '');
    const remotePort = port ?? peer?.remotePort ?? 0;
    const flowId = `${this.#protocol}:${this.#nextId++}:${remoteAddress}:${remotePort}`;
    return {
      flowId,
      remoteKey: remoteKey(remoteAddress, remotePort),
      source: {
        protocol: this.#protocol,
        address: remoteAddress,
        port: remotePort,
        flowId,
        localAddress: this.#localAddress,
        localPort: this.#localPort,
      },
    };
  }

  /** Indexes `conn`; a later connection to the same remote takes over the remote's index. */
  add(conn: C): void {
    this.#byFlow.set(conn.flowId, conn);
    this.#byRemote.set(conn.remoteKey, conn);
  }

  /** Forgets `conn`, leaving the remote's index to a newer connection if one took it over. */
  remove(conn: C): void {
    this.#byFlow.delete(conn.flowId);
    if (this.#byRemote.get(conn.remoteKey) === conn) this.#byRemote.delete(conn.remoteKey);
  }

  /** Runs `open` unless an attempt to the same remote is already under way, whose outcome is then shared. */
  connectOnce(address: string, port: number, open: () => Promise<C>): Promise<C> {
    const key = remoteKey(address, port);
    const pending = this.#connecting.get(key);
    if (pending) return pending;
    const attempt = open().finally(() => this.#connecting.delete(key));
    this.#connecting.set(key, attempt);
    return attempt;
  }

  /** The open connections (to close them all when the transport closes). */
  connections(): IterableIterator<C> {
    return this.#byFlow.values();
  }
}

/** The index key of a remote: "::ffff:a.b.c.d" and "a.b.c.d" are one peer, and hostnames compare case-blind. */
function remoteKey(address: string, port: number): string {
  return `${normaliseAddress(address).toLowerCase()}|${port}`;
}

/** "::ffff:127.0.0.1" (dual-stack sockets) is the IPv4 peer 127.0.0.1. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
