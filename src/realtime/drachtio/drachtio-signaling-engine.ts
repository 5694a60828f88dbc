import Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import { logger as moduleLogger } from '../../logging/logger.ts';
import type { InboundRequest, OutboundOutcome, OutboundRequest, OutboundRequestSpec, SignalingEngine } from '../engine/signaling-engine.ts';
import type { SipResponse } from '../sip/message.ts';
import type { DrachtioSrf } from './drachtio-api.ts';
import { DrachtioInboundRequest } from './drachtio-inbound-request.ts';
import { headerRecord, hopUri, parseDrachtioRequest, parseDrachtioResponse } from './drachtio-messages.ts';

export type DrachtioConnectOptions = {
  /** DRACHTIO_URL: the drachtio server's control socket, "host:port" (e.g. "127.0.0.1:9022"). */
  readonly url: string;
  /** DRACHTIO_SECRET: the shared secret of the control socket. */
  readonly secret: string;
  readonly logger?: Logger;
};

const NOT_ORIGINATED = new Set(['INVITE', 'ACK', 'CANCEL']);

/** "host:port" → parts; IPv6 hosts in brackets. */
export function parseDrachtioUrl(url: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(url.trim());
  const port = Number(m?.[2]);
  if (!m || !m[1] || !(port > 0 && port < 65536)) throw new TypeError(`DRACHTIO_URL must be host:port, got ${JSON.stringify(url)}`);
  return { host: m[1], port };
}

/**
 * The engine port on a drachtio server (drachtio-srf): the server owns the
 * sockets, transactions and proxy core; this adapter translates. Messages are
 * re-parsed with the project's parser so handlers see the same types on both
 * engines.
 */
export class DrachtioSignalingEngine implements SignalingEngine {
  readonly kind = 'drachtio';
  readonly #srf: DrachtioSrf;
  readonly #log: Logger;
  #closed: Promise<void> | undefined;

  private constructor(srf: DrachtioSrf, log: Logger) {
    this.#srf = srf;
    this.#log = log;
  }

  static async connect(options: DrachtioConnectOptions): Promise<DrachtioSignalingEngine> {
    const { host, port } = parseDrachtioUrl(options.url);
    const log = options.logger ?? moduleLogger('drachtio');
    // The package's declarations are looser than its behaviour; see drachtio-api.ts.
    const srf = new Srf() as unknown as DrachtioSrf;
    srf.on('error', (error) => log.warn({ err: error }, 'drachtio connection error'));
    await srf.connect({ host, port, secret: options.secret });
    log.info({ host, port }, 'connected to drachtio server');
    return new DrachtioSignalingEngine(srf, log);
  }

  onRequest(handler: (request: InboundRequest) => void): void {
    this.#srf.use((req, res) => {
      const parsed = parseDrachtioRequest(req.raw);
      if (!parsed.ok) {
        this.#log.debug({ reason: parsed.error }, 'drachtio request rejected: unparseable');
        if (req.method !== 'ACK') res.send(400, 'Bad Request', {});
        return;
      }
      const inbound = new DrachtioInboundRequest(req, res, parsed.value.request, parsed.value.core, this.#log);
      try {
        handler(inbound);
      } catch (error) {
        this.#log.error({ err: error, method: req.method }, 'sip handler threw');
        inbound.reply(500);
      }
    });
  }

  sendRequest(spec: OutboundRequestSpec): OutboundRequest {
    if (NOT_ORIGINATED.has(spec.method)) throw new RangeError(`${spec.method} cannot be originated through the engine port`);
    const provisional: Array<(response: SipResponse) => void> = [];
    const outcome = new Promise<OutboundOutcome>((resolve) => {
      const body = spec.body === undefined ? undefined : typeof spec.body === 'string' ? spec.body : spec.body.toString('utf8');
      this.#srf
        .request(spec.uri, {
          method: spec.method,
          headers: headerRecord(spec.headers),
          ...(body !== undefined ? { body } : {}),
          ...(spec.nextHop ? { proxy: hopUri(spec.nextHop) } : {}),
        })
        .then(
          (sent) =>
            sent.on('response', (res) => {
              const response = parseDrachtioResponse(res.raw);
              if (!response) return resolve({ kind: 'transport-error', message: 'unparseable response from drachtio' });
              if (response.status < 200) for (const l of provisional) l(response);
              else resolve({ kind: 'final', response });
            }),
          (error: unknown) => resolve({ kind: 'transport-error', message: error instanceof Error ? error.message : String(error) }),
        );
    });
    return { onProvisional: (listener) => provisional.push(listener), outcome };
  }

  close(): Promise<void> {
    this.#closed ??= Promise.resolve().then(() => this.#srf.disconnect());
    return this.#closed;
  }
}
