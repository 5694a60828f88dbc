import type { InboundRequest } from '../engine/signaling-engine.ts';

/**
 * A handler the front-end hands whole classes of requests to: the call router
 * (INVITE, ACK, BYE, CANCEL and in-dialog requests) and the presence server
 * (SUBSCRIBE, PUBLISH, NOTIFY). It must answer or proxy every request it gets
 * (an ACK excepted). A rejection is logged and answered 500 when still possible.
 */
export interface SipRequestHandler {
  handle(request: InboundRequest): void | Promise<void>;
  /** Called once by `SipFrontEnd.close()`, before the engine closes. */
  close?(): Promise<void>;
}
