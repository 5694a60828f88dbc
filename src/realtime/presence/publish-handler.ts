import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { CommandMetadata } from '../../commands/command-handler.ts';
import { DomainError } from '../../commands/domain-error.ts';
import { logger as moduleLogger } from '../../logging/logger.ts';
import type { InboundRequest } from '../engine/signaling-engine.ts';
import { PIDF_CONTENT_TYPE } from './pidf-model.ts';
import { parsePidf } from './pidf-parser.ts';
import { authRefusal, BAD_EVENT, domainRefusal, type Answer } from './presence-answers.ts';
import { publicationStateOf } from './presence-document.ts';
import type { BindingFlows, BindingSource, PresenceAuthenticator, PresenceCommandSink, PresenceSource } from './presence-ports.ts';
import { aorOfUri, eventPackage, mediaType, PRESENCE_EVENT, readExpires, userOfAor } from './presence-sip.ts';
import { publisherEndpoint } from './publisher-endpoint.ts';

export type PublishHandlerOptions = {
  readonly authenticator: PresenceAuthenticator;
  readonly commands: PresenceCommandSink;
  /** The presence view, for the entity tag → endpoint index. */
  readonly presence: PresenceSource;
  /** The location view: which registered endpoint is publishing. */
  readonly bindings: BindingSource;
  /** The registrar's flow table, when on the same node. Default: none (source address matching only). */
  readonly flows?: BindingFlows;
  /** Shortest publication accepted, else 423. Default 60 s (RFC 3903 leaves it to the ESC). */
  readonly minExpires?: number;
  /** Lifetime of a PUBLISH without Expires. Default 3600 s (RFC 3856 §6.4 for presence). */
  readonly defaultExpires?: number;
  /** Longer requests are shortened to this (RFC 3903 §6 step 5). Default 86 400 s, the decider's maximum. */
  readonly maxExpires?: number;
  /** `node` in event metadata. Default: the host name. */
  readonly nodeId?: string;
  readonly now?: () => Date;
  readonly logger?: Logger;
};

/**
 * The event state compositor for `presence` (RFC 3903 §6), minus the
 * composition: every PUBLISH becomes a PublishPresence or WithdrawPresence
 * command on the publisher's user stream, and the 200 OK (with SIP-ETag and
 * Expires) is sent only once that append is durable. Composition across
 * endpoints is the presence model's (aggregatePresence).
 *
 * Order of checks (the first failing one answers; nothing is written by any):
 * Event (489) → presentity in the Request-URI (404) → digest (407, or 403
 * for another user's credentials) → Expires (400, 423) → body: type (415),
 * PIDF (400), entity (400) → which endpoint (403 / 412) → the decider
 * (412 etag_mismatch, 403 endpoint_not_registered, 404 unknown user).
 */
export class PublishHandler {
  readonly #auth: PresenceAuthenticator;
  readonly #commands: PresenceCommandSink;
  readonly #presence: PresenceSource;
  readonly #bindings: BindingSource;
  readonly #flows: BindingFlows | undefined;
  readonly #minExpires: number;
  readonly #defaultExpires: number;
  readonly #maxExpires: number;
  readonly #nodeId: string;
  readonly #now: () => Date;
  readonly #log: Logger;

  constructor(options: PublishHandlerOptions) {
    this.#auth = options.authenticator;
    this.#commands = options.commands;
    this.#presence = options.presence;
    this.#bindings = options.bindings;
    this.#flows = options.flows;
    this.#minExpires = options.minExpires ?? 60;
    this.#defaultExpires = options.defaultExpires ?? 3600;
    this.#maxExpires = options.maxExpires ?? 86_400;
    if (!(this.#minExpires >= 1 && this.#minExpires <= this.#defaultExpires && this.#defaultExpires <= this.#maxExpires && this.#maxExpires <= 86_400))
      throw new RangeError(`need 1 <= minExpires <= defaultExpires <= maxExpires <= 86400`);
    this.#nodeId = options.nodeId ?? hostname();
    this.#now = options.now ?? (() => new Date());
    this.#log = options.logger ?? moduleLogger('presence-publish');
  }

  /** Answers one PUBLISH; resolves once answered. Never rejects. */
  async handle(request: InboundRequest): Promise<void> {
    let answer: Answer;
    try {
      answer = await this.#publish(request);
    } catch (error) {
      this.#log.error({ err: error, callId: request.core.callId }, 'PUBLISH failed');
      answer = { status: 500 };
    }
    request.reply(answer.status, answer.reason, answer.headers ? { headers: answer.headers } : {});
  }

  async #publish(request: InboundRequest): Promise<Answer> {
    const { message } = request;
    const headers = message.headers;
    if (eventPackage(headers) !== PRESENCE_EVENT) return BAD_EVENT;
    const aor = aorOfUri(message.uri);
    if (!aor) return { status: 404, reason: 'Not Found' };
    const refusal = authRefusal(this.#auth.authenticate(message, { aor, username: userOfAor(aor) }, 'proxy'));
    if (refusal) return refusal;

    const expires = readExpires(headers);
    if (expires.kind === 'malformed') return { status: 400, reason: 'Malformed Expires Header' };
    const requested = expires.kind === 'seconds' ? expires.seconds : this.#defaultExpires;
    if (requested !== 0 && requested < this.#minExpires) return { status: 423, reason: 'Interval Too Brief', headers: [['Min-Expires', String(this.#minExpires)]] };
    const granted = Math.min(requested, this.#maxExpires);
    const ifMatch = headers.get('SIP-If-Match')?.trim();
    if (ifMatch !== undefined && !/^[\x21-\x7e]{1,200}$/.test(ifMatch)) return { status: 412, reason: 'Conditional Request Failed' };

    let state: ReturnType<typeof publicationStateOf> | undefined;
    if (message.body.length > 0) {
      if (mediaType(headers) !== PIDF_CONTENT_TYPE) return { status: 415, reason: 'Unsupported Media Type', headers: [['Accept', PIDF_CONTENT_TYPE]] };
      const doc = parsePidf(message.body);
      if (!doc.ok) return { status: 400, reason: doc.error.message.slice(0, 100) };
      if (aorOfPresenceUri(doc.value.entity) !== aor) return { status: 400, reason: 'PIDF entity is not the presentity' };
      state = publicationStateOf(doc.value);
    } else if (ifMatch === undefined) {
      // RFC 3903 §6 step 4: a PUBLISH without body is a refresh or a removal, and those name their tag.
      return { status: 400, reason: 'Missing SIP-If-Match Header' };
    }

    const nowIso = this.#now().toISOString();
    const endpointId =
      (ifMatch !== undefined ? this.#presence.endpointOfEtag(aor, ifMatch) : undefined) ??
      publisherEndpoint(this.#bindings.liveContacts(aor, nowIso), request.core.contacts, request.source, this.#flows);
    if (endpointId === undefined) {
      return ifMatch !== undefined
        ? { status: 412, reason: 'Conditional Request Failed' }
        : { status: 403, reason: 'Endpoint Not Registered', headers: [['Warning', '399 chorus "REGISTER before you PUBLISH"']] };
    }

    const metadata = this.#metadata(aor, request.core.callId);
    try {
      if (granted === 0) {
        const events = await this.#commands.execute(aor, { type: 'WithdrawPresence', data: { endpointId, ...(ifMatch !== undefined ? { ifMatch } : {}) } }, metadata);
        const removed = events.find((e) => e.type === 'presence.withdrawn.v1');
        return { status: 200, headers: [...(removed ? [['SIP-ETag', removed.data.etag] as const] : []), ['Expires', '0']] };
      }
      const events = await this.#commands.execute(
        aor,
        { type: 'PublishPresence', data: { endpointId, ...(ifMatch !== undefined ? { ifMatch } : {}), ...(state ? { state } : {}), expiresSeconds: granted } },
        metadata,
      );
      const published = events.find((e) => e.type === 'presence.published.v1');
      if (!published) throw new Error('PublishPresence appended no presence.published.v1');
      return { status: 200, headers: [['SIP-ETag', published.data.etag], ['Expires', String(granted)]] };
    } catch (error) {
      if (error instanceof DomainError) return domainRefusal(error);
      throw error;
    }
  }

  #metadata(aor: string, callId: string): CommandMetadata {
    return { correlationId: `sip:${callId}`.slice(0, 200), causationId: null, actor: aor, node: this.#nodeId };
  }
}

/** A PIDF entity (`sip:`, `sips:` or `pres:` URI) as the AOR it names. */
function aorOfPresenceUri(entity: string): string | undefined {
  const match = /^(?:sips?|pres):([^@\s]+)@([^;?>:\s]+)/i.exec(entity);
  if (!match) return undefined;
  const user = decodeURIComponentSafe(match[1] ?? '');
  return `sip:${user}@${(match[2] ?? '').toLowerCase()}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
