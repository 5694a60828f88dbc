import type { Logger } from 'pino';
import type { ProxyOperation, ProxyOptions } from '../engine/proxy-operation.ts';
import { isInDialog, type FlowRef, type InboundRequest, type ReplyOptions } from '../engine/signaling-engine.ts';
import type { SipRequest } from '../sip/message.ts';
import type { RequestCore } from '../sip/sanity.ts';
import type { DrachtioRequest, DrachtioResponse } from './drachtio-api.ts';
import { headerRecord, transportName } from './drachtio-messages.ts';
import { DrachtioProxyOperation } from './drachtio-proxy-operation.ts';
import { SettledOperation } from '../sip/proxy/settled-operation.ts';
import { defaultReason } from '../sip/message.ts';

/** A request received by the drachtio server, seen through the port. */
export class DrachtioInboundRequest implements InboundRequest {
  readonly #req: DrachtioRequest;
  readonly #res: DrachtioResponse;
  readonly #log: Logger;
  #cancelled = false;
  readonly source: FlowRef;
  readonly inDialog: boolean;

  constructor(
    req: DrachtioRequest,
    res: DrachtioResponse,
    readonly message: SipRequest,
    readonly core: RequestCore,
    log: Logger,
  ) {
    this.#req = req;
    this.#res = res;
    this.#log = log;
    const transport = transportName(req.protocol);
    const port = Number(req.source_port);
    // drachtio has no flow handle; address and transport are what it can send to again.
    this.source = { transport, address: req.source_address, port, id: `${transport}:${req.source_address}:${port}` };
    this.inDialog = isInDialog(core);
    if (message.method === 'INVITE') req.on('cancel', () => (this.#cancelled = true));
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  reply(status: number, reason?: string, options: ReplyOptions = {}): boolean {
    if (this.message.method === 'ACK' || this.#res.finalResponseSent) return false;
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : options.body.toString('utf8');
    this.#res.send(status, reason ?? defaultReason(status), {
      headers: headerRecord(options.headers ?? []),
      ...(body !== undefined ? { body } : {}),
    });
    return true;
  }

  onCancel(listener: () => void): void {
    if (this.#cancelled) listener();
    else this.#req.on('cancel', listener);
  }

  proxy(options: ProxyOptions = {}): ProxyOperation {
    // drachtio-server does not tell us which Route values are its own: a request with no Route
    // at all is certainly not one of our record-routed dialogs; with one, drachtio's own loose routing applies.
    if (options.requireOwnRoute === true && !this.message.headers.has('Route')) {
      this.reply(404, 'Not Here');
      return new SettledOperation({ kind: 'rejected', status: 404, reason: 'Not Here' });
    }
    const op = new DrachtioProxyOperation(this.#req, options, this.#log);
    op.start();
    return op;
  }
}
