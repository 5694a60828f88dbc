import type { Logger } from 'pino';
import { TypedEmitter } from '../../util/typed-emitter.ts';
import type { BranchRef, ProxyEvents, ProxyOperation, ProxyOptions, ProxyResult, ProxyTarget } from '../engine/proxy-operation.ts';
import type { SipResponse } from '../sip/message.ts';
import { parseUri } from '../sip/uri.ts';
import type { DrachtioProxyMeta, DrachtioProxyWireOptions, DrachtioRequest } from './drachtio-api.ts';
import { headerRecord, hopUri, parseDrachtioResponse } from './drachtio-messages.ts';

/**
 * A proxy operation run by the drachtio server (srf.proxyRequest semantics).
 * The server forks, cancels and picks the best response itself; this class
 * turns its per-response reports into the port's events. drachtio reports
 * which address answered, not which branch: responses are matched to targets
 * by address and port, and left unattributed when none matches.
 */
export class DrachtioProxyOperation extends TypedEmitter<ProxyEvents> implements ProxyOperation {
  readonly result: Promise<ProxyResult>;
  readonly #req: DrachtioRequest;
  readonly #targets: readonly ProxyTarget[];
  readonly #destinations: readonly string[];
  readonly #options: ProxyOptions;
  readonly #log: Logger;
  readonly #finished = new Set<number>();
  #settle: (result: ProxyResult) => void = () => {};
  #started = 0;
  #settled = false;

  constructor(req: DrachtioRequest, options: ProxyOptions, log: Logger) {
    super({ onListenerError: (error, event) => log.error({ err: error, event }, 'proxy event listener threw') });
    this.#req = req;
    this.#options = options;
    this.#log = log;
    this.#targets = options.targets ?? [{ uri: req.uri }];
    // A next hop replaces the destination: drachtio sends to the URI it is given (Request-URI and hop are one).
    this.#destinations = this.#targets.map((t) => (t.nextHop ? hopUri(t.nextHop) : t.uri));
    this.result = new Promise((resolve) => (this.#settle = resolve));
  }

  start(): void {
    queueMicrotask(() => this.#begin());
  }

  /** srf.proxyRequest takes its destination list once; the server picks the final response itself. */
  addTargets(): boolean {
    return false;
  }

  #begin(): void {
    if (this.#req.method === 'ACK') {
      this.#finish({ kind: 'error', message: 'ACKs of proxied dialogs are forwarded by the drachtio server itself' });
      return;
    }
    this.#req.on('cancel', () => this.emit('upstream-cancel'));
    const o = this.#options;
    const parallel = o.forking === 'parallel';
    const wire: DrachtioProxyWireOptions = {
      destination: [...this.#destinations],
      stackTxnId: this.#req.stackTxnId,
      remainInDialog: o.recordRoute ?? false,
      provisionalTimeout: o.provisionalTimeoutMs !== undefined ? `${o.provisionalTimeoutMs}ms` : '',
      finalTimeout: o.branchTimeoutMs !== undefined ? `${o.branchTimeoutMs}ms` : '',
      followRedirects: false,
      simultaneous: parallel,
      fullResponse: true,
      ...(o.headers && o.headers.length > 0 ? { headers: headerRecord(o.headers) } : {}),
    };
    if (parallel) while (this.#started < this.#targets.length) this.#startBranch();
    else this.#startBranch();
    let last: SipResponse | undefined;
    let lastBranch: BranchRef = { index: undefined, target: undefined };
    this.#req.agent.proxy(this.#req, wire, (token, rawMsg, meta) => {
      if (token[0] === 'NOK') {
        this.#finish({ kind: 'error', message: token[1] ?? 'drachtio refused to proxy' });
        return;
      }
      if (token[1] === 'done') {
        if (!last) this.#finish({ kind: 'error', message: 'drachtio finished without a response' });
        else if (last.status < 300) this.#finish({ kind: 'answered', branch: lastBranch, response: last });
        else this.#finish({ kind: 'failed', status: last.status, response: last });
        return;
      }
      const response = parseDrachtioResponse(rawMsg);
      if (!response) return;
      const branch = this.#branchOf(meta);
      last = response;
      lastBranch = branch;
      this.#report(branch, response, meta);
    });
  }

  #startBranch(): void {
    const index = this.#started++;
    this.emit('branch-started', { index, target: this.#targets[index] });
  }

  #report(branch: BranchRef, response: SipResponse, meta: DrachtioProxyMeta): void {
    if (response.status === 100) return;
    if (response.status < 200) {
      this.emit('provisional', branch, response);
      return;
    }
    if (branch.index !== undefined) this.#finished.add(branch.index);
    // A 408 the server made itself (source "application") is its branch timeout.
    const timedOut = response.status === 408 && meta.source === 'application';
    this.emit('branch-completed', branch, timedOut ? { kind: 'timeout' } : { kind: 'response', response });
    const sequentialNext = this.#options.forking !== 'parallel' && response.status >= 300 && response.status < 600;
    if (sequentialNext && this.#started < this.#targets.length) this.#startBranch();
  }

  #branchOf(meta: DrachtioProxyMeta): BranchRef {
    const port = Number(meta.port);
    const index = this.#destinations.findIndex((d, i) => {
      if (this.#finished.has(i) || i >= this.#started) return false;
      const uri = parseUri(d);
      if (!uri.ok || (uri.value.scheme !== 'sip' && uri.value.scheme !== 'sips')) return false;
      return uri.value.host.replace(/^\[|\]$/g, '') === meta.address && (uri.value.port ?? 5060) === port;
    });
    return index < 0 ? { index: undefined, target: undefined } : { index, target: this.#targets[index] };
  }

  #finish(result: ProxyResult): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#log.debug({ result: result.kind }, 'drachtio proxy operation completed');
    this.#settle(result);
    this.emit('completed', result);
  }
}
