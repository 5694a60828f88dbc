import type { SipTransport } from '../../events/domain/primitives.ts';
import type { FlowId } from '../sip/transport/transport.ts';

/** How this node reaches one registered binding, and the attributes the log does not keep. */
export type BindingFlow = {
  readonly endpointId: string;
  readonly aor: string;
  /** The connection (TCP/TLS/WS) or UDP address the REGISTER came over: requests to the contact reuse it. */
  readonly flowId: FlowId;
  readonly transport: SipTransport;
  /** RFC 5626 reg-id, with the instance id it belongs to. */
  readonly regId: number | undefined;
  /** RFC 3261 q, as written; absent means the client did not say. */
  readonly q: string | undefined;
};

/** Reader side, for whatever forwards requests to registered contacts. */
export interface FlowReader {
  flowOf(endpointId: string): BindingFlow | undefined;
}

/**
 * Node-local: a flow id names a socket of this process, so it is meaningless to
 * another node and after a restart. It is therefore kept here, beside the
 * durable binding in the log, not in the log. Entries leave with the binding
 * (unregister, expiry) or with `forgetAor`.
 */
export class FlowTable implements FlowReader {
  readonly #byEndpoint = new Map<string, BindingFlow>();

  get size(): number {
    return this.#byEndpoint.size;
  }

  flowOf(endpointId: string): BindingFlow | undefined {
    return this.#byEndpoint.get(endpointId);
  }

  record(flow: BindingFlow): void {
    this.#byEndpoint.set(flow.endpointId, flow);
  }

  forget(endpointId: string): void {
    this.#byEndpoint.delete(endpointId);
  }

  /** Keeps only the given endpoints of an AOR (the ones still live). */
  retain(aor: string, live: ReadonlySet<string>): void {
    for (const [id, flow] of this.#byEndpoint) if (flow.aor === aor && !live.has(id)) this.#byEndpoint.delete(id);
  }
}
