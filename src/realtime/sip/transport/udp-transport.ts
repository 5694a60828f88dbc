import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { TransportError, type FlowId, type InboundPacket, type SendTarget, type Transport } from './transport.ts';

export type UdpTransportOptions = { readonly host: string; readonly port: number };

/** One UDP socket; flows are remote address:port pairs (nothing to keep open). */
export class UdpTransport implements Transport {
  readonly protocol = 'udp' as const;
  readonly reliable = false;
  readonly connectionCount = 0;
  readonly #socket: dgram.Socket;
  #handler: (packet: InboundPacket) => void = () => {};
  #localAddress = '';
  #localPort = 0;
  #closed: Promise<void> | undefined;

  private constructor(socket: dgram.Socket) {
    this.#socket = socket;
  }

  static async listen(options: UdpTransportOptions): Promise<UdpTransport> {
    const socket = dgram.createSocket({ type: isIPv6(options.host) ? 'udp6' : 'udp4' });
    const transport = new UdpTransport(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const addr = socket.address();
    transport.#localAddress = addr.address;
    transport.#localPort = addr.port;
    socket.on('message', (data, rinfo) => transport.#receive(data, rinfo));
    // ICMP errors surface as socket errors on some platforms; a datagram server must not die of them.
    socket.on('error', () => {});
    return transport;
  }

  get localAddress(): string {
    return this.#localAddress;
  }

  get localPort(): number {
    return this.#localPort;
  }

  onPacket(handler: (packet: InboundPacket) => void): void {
    this.#handler = handler;
  }

  #receive(data: Buffer, rinfo: dgram.RemoteInfo): void {
    this.#handler({
      kind: 'message',
      data,
      source: {
        protocol: 'udp',
        address: rinfo.address,
        port: rinfo.port,
        flowId: udpFlowId(rinfo.address, rinfo.port),
        localAddress: this.#localAddress,
        localPort: this.#localPort,
      },
    });
  }

  send(target: SendTarget, data: Buffer): Promise<FlowId> {
    if (this.#closed) return Promise.reject(new TransportError('UDP transport is closed'));
    return new Promise((resolve, reject) => {
      this.#socket.send(data, target.port, target.address, (error) => {
        if (error) reject(new TransportError(`UDP send to ${target.address}:${target.port} failed`, { cause: error }));
        else resolve(udpFlowId(target.address, target.port));
      });
    });
  }

  hasFlow(flowId: FlowId): boolean {
    return flowId.startsWith('udp:') && this.#closed === undefined;
  }

  close(): Promise<void> {
    this.#closed ??= new Promise((resolve) => this.#socket.close(() => resolve()));
    return this.#closed;
  }
}

export function udpFlowId(address: string, port: number): FlowId {
  return `udp:${address}:${port}`;
}

/** Address and port of a UDP flow id, or undefined for other flows. */
export function parseUdpFlowId(flowId: FlowId): { address: string; port: number } | undefined {
  if (!flowId.startsWith('udp:')) return undefined;
  const last = flowId.lastIndexOf(':');
  const port = Number(flowId.slice(last + 1));
  return Number.isInteger(port) ? { address: flowId.slice(4, last), port } : undefined;
}
