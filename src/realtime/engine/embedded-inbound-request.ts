import type { SipRequest } from '../sip/message.ts';
import type { StatefulProxy } from '../sip/proxy/stateful-proxy.ts';
import type { RequestCore } from '../sip/sanity.ts';
import type { IncomingRequest } from '../sip/sip-engine.ts';
import type { MessageSource } from '../sip/transport/transport.ts';
import type { ProxyOperation, ProxyOptions } from './proxy-operation.ts';
import { isInDialog, type FlowRef, type InboundRequest, type ReplyOptions, type TransportName } from './signaling-engine.ts';

export function flowRefOf(source: MessageSource): FlowRef {
  return { transport: source.protocol satisfies TransportName, address: source.address, port: source.port, id: source.flowId };
}

/** A request of the embedded engine seen through the port. */
export class EmbeddedInboundRequest implements InboundRequest {
  readonly #incoming: IncomingRequest;
  readonly #proxy: StatefulProxy;
  readonly source: FlowRef;
  readonly inDialog: boolean;

  constructor(incoming: IncomingRequest, proxy: StatefulProxy) {
    this.#incoming = incoming;
    this.#proxy = proxy;
    this.source = flowRefOf(incoming.source);
    this.inDialog = isInDialog(incoming.core);
  }

  get message(): SipRequest {
    return this.#incoming.request;
  }

  get core(): RequestCore {
    return this.#incoming.core;
  }

  get toTag(): string {
    return this.#incoming.toTag;
  }

  get cancelled(): boolean {
    return this.#incoming.cancelled;
  }

  reply(status: number, reason?: string, options?: ReplyOptions): boolean {
    return this.#incoming.reply(status, reason, options);
  }

  onCancel(listener: () => void): void {
    this.#incoming.onCancel(listener);
  }

  proxy(options?: ProxyOptions): ProxyOperation {
    return this.#proxy.proxy(this.#incoming, options);
  }
}
