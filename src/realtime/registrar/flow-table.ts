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
  /** AOR → its endpoint ids here, so `retain` (every REGISTER) looks at one user's flows, not the whole table. */
  readonly #byAor = new Map<string, Set<string>>();

  get size(): number {
    return this.#byEndpoint.size;
  }

  flowOf(endpointId: string): BindingFlow | undefined {
    return this.#byEndpoint.get(endpointId);
  }

  record(flow: BindingFlow): void {
    const previous = this.#byEndpoint.get(flow.endpointId);
    if (previous && previous.aor !== flow.aor) this.#unindex(previous);
    this.#byEndpoint.set(flow.endpointId, flow);
    let ids = this.#byAor.get(flow.aor);
    if (!ids) this.#byAor.set(flow.aor, (ids = new Set()));
    ids.add(flow.endpointId);
  }

  forget(endpointId: string): void {
    const flow = this.#byEndpoint.get(endpointId);
    if (!flow) return;
    this.#byEndpoint.delete(endpointId);
    this.#unindex(flow);
  }

  /** Keeps only the given endpoints of an AOR (the ones still live). */
  retain(aor: string, live: ReadonlySet<string>): void {
    const ids = this.#byAor.get(aor);
    if (!ids) return;
    for (const id of [...ids]) if (!live.has(id)) this.forget(id);
  }

  #unindex(flow: BindingFlow): void {
    const ids = this.#byAor.get(flow.aor);
    if (!ids) return;
    ids.delete(flow.endpointId);
    if (ids.size === 0) this.#byAor.delete(flow.aor);
  }
}
