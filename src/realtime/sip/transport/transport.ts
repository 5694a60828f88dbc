/**
 * What the engine needs from a transport. Each transport owns its sockets and
 * framing; the engine sees whole messages and opaque flow ids.
 */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/**
 * Identifies the path a message came on, so a response or a later request
 * (NOTIFY, MESSAGE to a registered contact) can go back the same way
 * (RFC 5626 flows). For UDP it names the remote address and port; for TCP/TLS
 * one connection. Opaque to callers; stable while the connection lives.
 */
export type FlowId = string;

export type MessageSource = {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
  readonly flowId: FlowId;
  readonly localAddress: string;
  readonly localPort: number;
};

export type InboundPacket =
  | { readonly kind: 'message'; readonly data: Buffer; readonly source: MessageSource }
  /**
   * A stream that can no longer be framed. The transport closes the connection
   * right after the handler returns, so a reply sent synchronously still goes out.
   */
  | {
      readonly kind: 'framing-error';
      readonly head: Buffer | undefined;
      readonly reason: string;
      readonly status: 400 | 513;
      readonly source: MessageSource;
    }
  /** RFC 5626 keep-alive ping on a stream; the transport has already answered it. */
  | { readonly kind: 'keepalive'; readonly source: MessageSource };

export type SendTarget = {
  readonly address: string;
  readonly port: number;
  /** Prefer this flow (connection) when it is still open. */
  readonly flowId?: FlowId | undefined;
};

export class TransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
  }
}

export interface Transport {
  readonly protocol: TransportProtocol;
  /** Reliable transports need no retransmissions (timers A, E, G are not started). */
  readonly reliable: boolean;
  readonly localAddress: string;
  readonly localPort: number;
  onPacket(handler: (packet: InboundPacket) => void): void;
  /**
   * Sends one message. Resolves with the flow used (a stream transport reuses
   * the given flow, then any connection to the address, then connects); rejects
   * with TransportError when it cannot be delivered to the network.
   */
  send(target: SendTarget, data: Buffer): Promise<FlowId>;
  /** True when the flow can still carry messages. */
  hasFlow(flowId: FlowId): boolean;
  /** Number of open connections (0 for UDP). */
  readonly connectionCount: number;
  close(): Promise<void>;
}
