import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AggregateCache } from '../../commands/aggregate-cache.ts';
import type { CommandMetadata } from '../../commands/command-handler.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { EventStore } from '../../events/event-store.ts';
import { logger as moduleLogger } from '../../logging/logger.ts';
import type { DirectoryReader } from '../../projections/directory/directory-reader.ts';
import type { LocationReader } from '../../projections/location/location-reader.ts';
import type { ProxyResult } from '../engine/proxy-operation.ts';
import type { InboundRequest } from '../engine/signaling-engine.ts';
import type { FlowReader } from '../registrar/flow-table.ts';
import type { RequestAuthenticator } from '../registrar/registrar.ts';
import { unescapeComponent } from '../sip/grammar.ts';
import type { HeaderInit } from '../sip/message.ts';
import { isSipUri, type Uri } from '../sip/uri.ts';
import { contactTargets } from './contact-targets.ts';
import { classifyImContent, DEFAULT_MAX_IM_BODY_BYTES, MAX_IM_BODY_BYTES } from './im-content-policy.ts';
import { ImSessionLog, type DeliveryOutcome } from './im-session-log.ts';
import { PairSessions } from './pair-sessions.ts';

/** Whether a message's text is kept in the log; `false` keeps only that it was sent. */
export type ArchivePolicy = boolean | ((sender: string, recipient: string) => boolean);

export type ImHandlerOptions = {
  readonly store: EventStore<DomainEvent>;
  /** The node's aggregate cache, shared with its other command paths. Default: none (each command folds the whole stream). */
  readonly aggregates?: AggregateCache;
  /** Digest authentication of the sender, challenged with 407 (RFC 3261 §22.3: this server acts as a proxy for MESSAGE). */
  readonly authenticator: RequestAuthenticator;
  readonly directory: Pick<DirectoryReader, 'user'>;
  readonly location: Pick<LocationReader, 'liveContacts'>;
  /** The registrar's flows, to reach NATed and WebSocket contacts over their own connection. Default: none. */
  readonly flows?: FlowReader;
  /**
   * The canonical AOR (`sip:user@domain`) of a URI in a domain this server
   * serves, or undefined for anything else (a foreign domain, no user part).
   */
  readonly localAor: (uri: Uri) => string | undefined;
  /** Default true: the text is kept (`im.message_sent.v1` `archived: true`), as OCS archiving does when enabled. */
  readonly archive?: ArchivePolicy;
  /** Larger bodies get 413. Default DEFAULT_MAX_IM_BODY_BYTES (16 KiB), at most 64 KiB. */
  readonly maxBodyBytes?: number;
  /** A pair's session ends after this long without a message. Default 600 s. */
  readonly sessionIdleSeconds?: number;
  /** How often idle sessions are looked for. Default 30 000 ms; 0 turns the timer off (call `endIdleSessions`). */
  readonly sweepIntervalMs?: number;
  /** Default: the system clock. */
  readonly now?: () => Date;
  /** Message ids; default UUIDv7. */
  readonly newId?: () => string;
  /** `node` in event metadata. Default: the host name. */
  readonly nodeId?: string;
  readonly logger?: Logger;
};

type Answer = { readonly status: number; readonly reason?: string; readonly headers?: readonly HeaderInit[] };

/**
 * The SIP MESSAGE handler (RFC 3428 page mode) for local users.
 *
 * For a MESSAGE out of a dialog, addressed to a user of a served domain:
 * 1. the sender (From) must be a local user and authenticate: 407 with a
 *    Proxy-Authenticate challenge first, 403 when the digest user is not the
 *    From user, 400 for malformed credentials; nothing is written before this;
 * 2. the body is checked (`classifyImContent`): 400 / 413 / 415;
 * 3. an unknown or deprovisioned recipient gets 404 and nothing is written;
 * 4. the message is recorded (`im.session_started.v1` when the pair has no
 *    open session here, then `im.message_sent.v1`) and only after that COMMIT
 *    is it forwarded, so a MESSAGE the recipient saw is always in the log;
 * 5. no live contact: 480, recorded as `im.message_failed.v1` (sipStatus 480);
 *    otherwise the MESSAGE is proxied to every live contact at once (RFC 3428
 *    §7: a proxy may fork MESSAGE) and the first 2xx goes upstream;
 * 6. the outcome is recorded per recipient: `im.message_delivered.v1` on a 2xx
 *    from any contact, `im.message_failed.v1` otherwise (with the recipient's
 *    final status, or none after a timeout / transport error). These follow the
 *    response upstream: the message was committed before it was forwarded,
 *    its outcome is a record of what happened, and a failure to write it is
 *    logged, not turned into a second response.
 *
 * A store failure before forwarding gets 500 and nothing is forwarded.
 * Is-composing notices (RFC 3994) and notes to oneself are forwarded like any
 * message but not recorded: they carry no conversation between two users.
 */
export class ImHandler {
  readonly #authenticator: RequestAuthenticator;
  readonly #directory: Pick<DirectoryReader, 'user'>;
  readonly #location: Pick<LocationReader, 'liveContacts'>;
  readonly #flows: FlowReader | undefined;
  readonly #localAor: (uri: Uri) => string | undefined;
  readonly #archive: (sender: string, recipient: string) => boolean;
  readonly #maxBodyBytes: number;
  readonly #idleMs: number;
  readonly #now: () => Date;
  readonly #nodeId: string;
  readonly #log: Logger;
  readonly #sessionLog: ImSessionLog;
  readonly #sessions = new PairSessions();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #timer: NodeJS.Timeout | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: ImHandlerOptions) {
    this.#authenticator = options.authenticator;
    this.#directory = options.directory;
    this.#location = options.location;
    this.#flows = options.flows;
    this.#localAor = options.localAor;
    const archive = options.archive ?? true;
    this.#archive = typeof archive === 'function' ? archive : () => archive;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_IM_BODY_BYTES;
    if (!Number.isInteger(this.#maxBodyBytes) || this.#maxBodyBytes < 1 || this.#maxBodyBytes > MAX_IM_BODY_BYTES) {
      throw new RangeError(`maxBodyBytes must be an integer in 1..${MAX_IM_BODY_BYTES}, got ${this.#maxBodyBytes}`);
    }
    const idleSeconds = options.sessionIdleSeconds ?? 600;
    if (!(idleSeconds > 0)) throw new RangeError(`sessionIdleSeconds must be positive, got ${idleSeconds}`);
    this.#idleMs = idleSeconds * 1000;
    this.#now = options.now ?? (() => new Date());
    this.#nodeId = options.nodeId ?? hostname();
    this.#log = options.logger ?? moduleLogger('sip-im');
    this.#sessionLog = new ImSessionLog({
      store: options.store,
      now: this.#now,
      ...(options.newId ? { newId: options.newId } : {}),
      ...(options.aggregates ? { aggregates: options.aggregates } : {}),
    });
    const sweepMs = options.sweepIntervalMs ?? 30_000;
    if (sweepMs > 0) {
      this.#timer = setInterval(() => void this.endIdleSessions(), sweepMs);
      this.#timer.unref();
    }
  }

  /** Sessions this node holds open. */
  get openSessions(): number {
    return this.#sessions.size;
  }

  /** Handles one MESSAGE; resolves once answered and its outcome recorded. Never rejects. */
  handle(request: InboundRequest): Promise<void> {
    if (this.#closed) {
      request.reply(503, 'Shutting Down');
      return Promise.resolve();
    }
    const work = this.#handle(request).catch((error: unknown) => {
      this.#log.error({ err: error, callId: request.core.callId }, 'MESSAGE failed');
      request.reply(500);
    });
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
    return work;
  }

  /** Ends (`im.session_ended.v1`, reason `idle`) the sessions of pairs quiet for `sessionIdleSeconds`. */
  async endIdleSessions(): Promise<void> {
    const cutoff = this.#now().getTime() - this.#idleMs;
    await Promise.all(
      this.#sessions.idleSince(cutoff).map(([pair, { sessionId }]) =>
        this.#sessions.run(pair, async () => {
          const current = this.#sessions.get(pair);
          if (current?.sessionId !== sessionId || current.lastActivityMs > cutoff) return;
          await this.#endSession(pair, sessionId, 'idle');
        }),
      ),
    );
  }

  /**
   * Idempotent. Refuses new MESSAGEs (503), waits for those in progress, then
   * ends every session this node holds open (reason `shutdown`), so the log
   * does not keep conversations open that nobody will close.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#timer) clearInterval(this.#timer);
      await Promise.all([...this.#inFlight]);
      await Promise.all(
        this.#sessions.entries().map(([pair, { sessionId }]) => this.#sessions.run(pair, () => this.#endSession(pair, sessionId, 'shutdown'))),
      );
      this.#log.debug('IM handler closed');
    })();
    return this.#closed;
  }

  async #endSession(pair: string, sessionId: string, reason: string): Promise<void> {
    try {
      await this.#sessionLog.end(sessionId, reason, this.#metadata('chorus', `im-${reason}:${sessionId}`));
      this.#sessions.forget(pair, sessionId);
    } catch (error) {
      // Kept in the index: the next sweep tries again.
      this.#log.warn({ err: error, sessionId, reason }, 'could not end IM session');
    }
  }

  async #handle(request: InboundRequest): Promise<void> {
    const { message, core } = request;
    const reply = (a: Answer) => request.reply(a.status, a.reason, a.headers ? { headers: a.headers } : {});
    if (message.method !== 'MESSAGE') return void reply({ status: 405, headers: [['Allow', 'MESSAGE']] });

    const recipient = this.#localAor(message.uri);
    if (recipient === undefined) return void reply({ status: 404, reason: 'Not Found' });
    const sender = this.#localAor(core.from.uri);
    if (sender === undefined || !isSipUri(core.from.uri) || core.from.uri.user === undefined) {
      // Only local users are authenticated here; relaying for other domains is not offered.
      return void reply({ status: 403, reason: 'Sender Not Served Here' });
    }

    const auth = this.#authenticator.authenticate(message, { aor: sender, username: unescapeComponent(core.from.uri.user) }, 'proxy');
    switch (auth.kind) {
      case 'authorized':
        break;
      case 'challenge':
        return void reply({ status: auth.status, headers: auth.headers });
      case 'forbidden':
        return void reply({ status: 403, reason: 'Forbidden' });
      case 'malformed':
        return void reply({ status: 400, reason: auth.reason });
      default: {
        const never: never = auth;
        return never;
      }
    }

    const content = classifyImContent(message, this.#maxBodyBytes);
    if (content.kind === 'reject') return void reply({ status: content.status, reason: content.reason, headers: content.headers });
    if (this.#directory.user(recipient) === null) return void reply({ status: 404, reason: 'Not Found' });

    const contacts = this.#location.liveContacts(recipient, this.#now().toISOString());
    const targets = contactTargets(contacts, this.#flows);
    if (content.kind === 'indication' || recipient === sender) {
      if (targets.length === 0) return void reply({ status: 480, reason: 'Temporarily Unavailable' });
      await request.proxy({ targets, forking: 'parallel' }).result;
      return;
    }

    const metadata = this.#metadata(sender, core.callId);
    const pair = PairSessions.keyOf(sender, recipient);
    const archive = this.#archive(sender, recipient);
    const sent = await this.#sessions.run(pair, async () => {
      const open = this.#sessions.get(pair)?.sessionId;
      const result = await this.#sessionLog.send(
        { sender, recipient, contentType: content.contentType, text: content.text, archive },
        open,
        core.callId,
        metadata,
      );
      this.#sessions.set(pair, { sessionId: result.sessionId, lastActivityMs: this.#now().getTime() });
      return result;
    });

    let outcome: DeliveryOutcome;
    if (targets.length === 0) {
      reply({ status: 480, reason: 'Temporarily Unavailable' });
      outcome = { kind: 'failed', sipStatus: 480, reason: 'recipient has no registered contact' };
    } else {
      outcome = outcomeOf(await request.proxy({ targets, forking: 'parallel' }).result);
    }
    try {
      await this.#sessionLog.outcome(sent.sessionId, sent.messageId, recipient, outcome, metadata);
    } catch (error) {
      this.#log.error({ err: error, sessionId: sent.sessionId, messageId: sent.messageId }, 'could not record IM delivery outcome');
    }
  }

  #metadata(actor: string, correlation: string): CommandMetadata {
    return { correlationId: `sip:${correlation}`.slice(0, 200), causationId: null, actor, node: this.#nodeId };
  }
}

/** What the proxy's result means for the recipient. */
function outcomeOf(result: ProxyResult): DeliveryOutcome {
  switch (result.kind) {
    case 'answered':
      return { kind: 'delivered', sipStatus: result.response.status };
    case 'failed':
      return result.response
        ? { kind: 'failed', sipStatus: result.response.status, reason: `recipient answered ${result.response.status} ${result.response.reason}` }
        : { kind: 'failed', sipStatus: null, reason: `no final response from any contact (sent ${result.status} upstream)` };
    case 'rejected':
      return { kind: 'failed', sipStatus: null, reason: `not forwarded: ${result.status} ${result.reason}` };
    case 'forwarded-stateless':
      return { kind: 'failed', sipStatus: null, reason: 'forwarded without a transaction' };
    case 'error':
      return { kind: 'failed', sipStatus: null, reason: `engine error: ${result.message}` };
    default: {
      const never: never = result;
      return never;
    }
  }
}
