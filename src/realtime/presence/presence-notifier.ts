import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { CommandMetadata } from '../../commands/command-handler.ts';
import { DomainError } from '../../commands/domain-error.ts';
import { logger as moduleLogger } from '../../logging/logger.ts';
import type { ViewChange } from '../../projections/framework/in-memory-view.ts';
import type { FlowRef, InboundRequest } from '../engine/signaling-engine.ts';
import { withParam } from '../sip/grammar.ts';
import { formatNameAddr, parseNameAddrList, tagOf } from '../sip/name-addr.ts';
import { formatUri } from '../sip/uri.ts';
import { authRefusal, BAD_EVENT, domainRefusal, type Answer } from './presence-answers.ts';
import type { NotifySender, PresenceAuthenticator, PresenceChanges, PresenceCommandSink, PresenceSource, Scheduler } from './presence-ports.ts';
import { realScheduler } from './presence-ports.ts';
import { acceptsPidf, aorOfUri, eventId, eventPackage, PRESENCE_EVENT, readExpires, userOfAor } from './presence-sip.ts';
import { PresenceSnapshot } from './presence-snapshot.ts';
import { PresenceSubscription, type SubscriptionDialog, type TerminationReason } from './presence-subscription.ts';
import type { WatcherPolicy } from './watcher-policy.ts';
import { PIDF_CONTENT_TYPE } from './pidf-model.ts';

export type PresenceNotifierOptions = {
  readonly sender: NotifySender;
  readonly authenticator: PresenceAuthenticator;
  readonly commands: PresenceCommandSink;
  readonly presence: PresenceSource;
  /** The presence view's `changed` feed: the users whose presence inputs moved. */
  readonly changes: PresenceChanges;
  readonly policy: WatcherPolicy;
  /** Our Contact URI for the dialog, per flow (e.g. `sip:presence@192.0.2.1:5060;transport=tcp`). */
  readonly contactFor: (flow: FlowRef) => string;
  /** Shortest subscription accepted, else 423. Default 60 s (RFC 6665 §4.2.1.1 lets the notifier choose). */
  readonly minExpires?: number;
  /** Lifetime of a SUBSCRIBE without Expires. Default 3600 s (RFC 3856 §6.4). */
  readonly defaultExpires?: number;
  /** Longer requests are shortened to this. Default 86 400 s, the decider's maximum. */
  readonly maxExpires?: number;
  /** How long after its expiry a subscription is ended, so the sweep sees it lapsed. Default 1000 ms. */
  readonly expiryGraceMs?: number;
  /** How long `close()` waits for the watchers to answer the final NOTIFYs. Default 2000 ms. */
  readonly closeGraceMs?: number;
  /** `node` in event metadata. Default: the host name. */
  readonly nodeId?: string;
  readonly now?: () => Date;
  readonly scheduler?: Scheduler;
  readonly logger?: Logger;
};

/**
 * The `presence` notifier (RFC 6665 §4.2, RFC 3856): SUBSCRIBE creates,
 * refreshes or ends a subscription through the user decider's
 * SubscribeWatcher / UnsubscribeWatcher (200 only once the append is durable),
 * then NOTIFYs go out: at once after every accepted SUBSCRIBE, and whenever the
 * presence view reports the presentity changed.
 *
 * The dialog (Call-ID, tags, route set, remote target, flow, CSeq) lives here,
 * in memory: it names sockets of this process, so like the registrar's flows it
 * cannot outlive the node. The log keeps who watches whom and until when.
 *
 * Answers to an initial SUBSCRIBE, by the first check that fails (nothing is
 * written by any): Event (489) → URIs (404 presentity, 403 watcher) → digest
 * (407) → Accept (406) → Expires (400, 423) → Contact (400) → policy (403) →
 * decider (404 unknown presentity). An in-dialog SUBSCRIBE for a dialog this
 * node does not hold gets 481.
 *
 * Expires: 0 on an initial SUBSCRIBE is a fetch (RFC 6665 §4.4.3): 200 and one
 * terminated NOTIFY, nothing written, and the presentity is not checked (an
 * unknown user reads as Offline, which tells a fetcher nothing).
 */
export class PresenceNotifier {
  readonly #sender: NotifySender;
  readonly #auth: PresenceAuthenticator;
  readonly #commands: PresenceCommandSink;
  readonly #presence: PresenceSource;
  readonly #changes: PresenceChanges;
  readonly #policy: WatcherPolicy;
  readonly #contactFor: (flow: FlowRef) => string;
  readonly #minExpires: number;
  readonly #defaultExpires: number;
  readonly #maxExpires: number;
  readonly #expiryGraceMs: number;
  readonly #closeGraceMs: number;
  readonly #nodeId: string;
  readonly #now: () => Date;
  readonly #scheduler: Scheduler;
  readonly #log: Logger;
  /** subscriptionId → subscription. */
  readonly #subscriptions = new Map<string, PresenceSubscription>();
  /** presentity → its subscriptions on this node. */
  readonly #byPresentity = new Map<string, Set<PresenceSubscription>>();
  readonly #timers = new Map<PresenceSubscription, unknown>();
  /** presentity → timer for the instant its shown state lapses on its own (an expiry no event has written yet). */
  readonly #lapseTimers = new Map<string, unknown>();
  readonly #onChanged = (change: ViewChange<string>): void => this.presenceChanged(change.keys);
  #closing: Promise<void> | undefined;
  /** Set first thing in close(), before the closing promise exists. */
  #closed = false;

  constructor(options: PresenceNotifierOptions) {
    this.#sender = options.sender;
    this.#auth = options.authenticator;
    this.#commands = options.commands;
    this.#presence = options.presence;
    this.#changes = options.changes;
    this.#policy = options.policy;
    this.#contactFor = options.contactFor;
    this.#minExpires = options.minExpires ?? 60;
    this.#defaultExpires = options.defaultExpires ?? 3600;
    this.#maxExpires = options.maxExpires ?? 86_400;
    if (!(this.#minExpires >= 1 && this.#minExpires <= this.#defaultExpires && this.#defaultExpires <= this.#maxExpires && this.#maxExpires <= 86_400))
      throw new RangeError(`need 1 <= minExpires <= defaultExpires <= maxExpires <= 86400`);
    this.#expiryGraceMs = options.expiryGraceMs ?? 1000;
    this.#closeGraceMs = options.closeGraceMs ?? 2000;
    this.#nodeId = options.nodeId ?? hostname();
    this.#now = options.now ?? (() => new Date());
    this.#scheduler = options.scheduler ?? realScheduler;
    this.#log = options.logger ?? moduleLogger('presence-notifier');
    this.#changes.on('changed', this.#onChanged);
  }

  /** Subscriptions this node holds. */
  get size(): number {
    return this.#subscriptions.size;
  }

  /** Answers one SUBSCRIBE; resolves once answered and the first NOTIFY is under way. Never rejects. */
  async handle(request: InboundRequest): Promise<void> {
    if (this.#closing) {
      request.reply(503, 'Shutting Down', { headers: [['Retry-After', '5']] });
      return;
    }
    try {
      const answer = request.inDialog ? await this.#resubscribe(request) : await this.#subscribe(request);
      if (answer) request.reply(answer.status, answer.reason, answer.headers ? { headers: answer.headers } : {});
    } catch (error) {
      this.#log.error({ err: error, callId: request.core.callId }, 'SUBSCRIBE failed');
      request.reply(500);
    }
  }

  /**
   * NOTIFYs the watchers of these users whose shown state moved; a watcher the
   * policy now denies (the presentity blocked them) gets the final NOTIFY
   * instead (`reason=rejected`, RFC 6665 §4.2.2). The decider that wrote the
   * block also wrote the end of those subscriptions, so nothing is written here.
   */
  presenceChanged(users: readonly string[]): void {
    for (const user of users) {
      const subscriptions = this.#byPresentity.get(user);
      if (!subscriptions) continue;
      // Read and serialised once for all of the user's watchers.
      const at = this.#now();
      const snapshot = new PresenceSnapshot(user, this.#presence.presenceOf(user, at.toISOString()), at);
      for (const subscription of [...subscriptions]) {
        const decision = this.#policy.decide(subscription.dialog.watcher, user);
        if (decision.kind === 'allow') {
          subscription.notify(false, snapshot);
          continue;
        }
        this.#log.info({ watcher: subscription.dialog.watcher, presentity: user, reason: decision.reason }, 'subscription rejected');
        void this.#forget(subscription, 'rejected');
      }
      this.#watchLapse(user);
    }
  }

  /**
   * The view holds expiries, not lapses: a registration or publication that
   * runs out changes the presence shown before the sweep writes an event for
   * it. So, while someone watches, the notifier re-evaluates at the instant
   * after `presenceValidThrough` (unchanged state sends nothing).
   */
  #watchLapse(presentity: string): void {
    const previous = this.#lapseTimers.get(presentity);
    if (previous !== undefined) this.#scheduler.clearTimeout(previous);
    this.#lapseTimers.delete(presentity);
    if (!this.#byPresentity.has(presentity) || this.#closed) return;
    const now = this.#now();
    const through = this.#presence.presenceValidThrough(presentity, now.toISOString());
    if (through === null) return;
    const delay = Math.max(0, Date.parse(through) - now.getTime()) + 1;
    this.#lapseTimers.set(
      presentity,
      this.#scheduler.setTimeout(() => {
        this.#lapseTimers.delete(presentity);
        this.presenceChanged([presentity]);
      }, delay),
    );
  }

  /**
   * Idempotent. Stops listening and ends every subscription with a final NOTIFY
   * (`reason=deactivated`: RFC 6665 §4.1.3, the watcher re-subscribes at once,
   * to another node if this one is going away). Nothing is written: the log's
   * entries lapse at their expiry and the sweep writes them off.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#changes.off('changed', this.#onChanged);
      for (const timer of this.#lapseTimers.values()) this.#scheduler.clearTimeout(timer);
      this.#lapseTimers.clear();
      const finals = [...this.#subscriptions.values()].map((s) => this.#forget(s, 'deactivated'));
      let timer: unknown;
      const grace = new Promise<void>((resolve) => (timer = this.#scheduler.setTimeout(resolve, this.#closeGraceMs)));
      await Promise.race([Promise.allSettled(finals), grace]);
      this.#scheduler.clearTimeout(timer);
      this.#log.debug('presence notifier closed');
    })();
    return this.#closing;
  }

  async #subscribe(request: InboundRequest): Promise<Answer | undefined> {
    const { message, core } = request;
    const headers = message.headers;
    if (eventPackage(headers) !== PRESENCE_EVENT) return BAD_EVENT;
    const presentity = aorOfUri(message.uri);
    if (!presentity) return { status: 404, reason: 'Not Found' };
    const watcher = aorOfUri(core.from.uri);
    if (!watcher) return { status: 403, reason: 'Forbidden' };
    const refusal = authRefusal(this.#auth.authenticate(message, { aor: watcher, username: userOfAor(watcher) }, 'proxy'));
    if (refusal) return refusal;
    if (!acceptsPidf(headers)) return { status: 406, reason: 'Not Acceptable', headers: [['Accept', PIDF_CONTENT_TYPE]] };
    const expires = this.#expires(request);
    if ('status' in expires) return expires;
    const contact = core.contacts.find((c) => c.kind === 'address');
    if (contact?.kind !== 'address') return { status: 400, reason: 'Missing Contact Header' };
    const remoteTag = tagOf(core.from);
    if (remoteTag === undefined) return { status: 400, reason: 'Missing From Tag' };
    const localTag = request.toTag;
    if (localTag === undefined) {
      this.#log.error('the signaling engine does not tell the To tag; cannot hold a SUBSCRIBE dialog');
      return { status: 500, reason: 'Server Internal Error' };
    }
    const decision = this.#policy.decide(watcher, presentity);
    if (decision.kind === 'deny') {
      this.#log.debug({ watcher, presentity, reason: decision.reason }, 'subscription refused');
      return { status: 403, reason: 'Forbidden' };
    }

    const routeSet = parseNameAddrList(headers.getAll('Record-Route'));
    if (!routeSet.ok) return { status: 400, reason: 'Malformed Record-Route Header' };
    const eventIdValue = eventId(headers);
    const localContact = `<${this.#contactFor(request.source)}>`;
    const dialog: SubscriptionDialog = {
      subscriptionId: subscriptionIdOf(core.callId, remoteTag, localTag, eventIdValue),
      presentity,
      watcher,
      callId: core.callId,
      localTag,
      localIdentity: formatNameAddr({ ...core.to, params: withParam(core.to.params, 'tag', localTag) }),
      remoteIdentity: headers.get('From') ?? formatNameAddr(core.from),
      eventId: eventIdValue,
      routeSet: routeSet.value.map(formatNameAddr),
      localContact,
    };
    const okHeaders = (seconds: number): Answer => ({ status: 200, headers: [['Expires', String(seconds)], ['Contact', localContact]] });

    if (expires.seconds === 0) {
      // A fetch: the state once, and the dialog ends with it.
      request.reply(200, undefined, { headers: okHeaders(0).headers ?? [] });
      const fetch = this.#newSubscription(dialog, formatUri(contact.uri), request.source, this.#now());
      void fetch.terminate('timeout');
      return undefined;
    }

    let expiresAt: Date;
    try {
      expiresAt = await this.#subscribeCommand(dialog, expires.seconds, core.callId);
    } catch (error) {
      if (error instanceof DomainError) return domainRefusal(error);
      throw error;
    }
    request.reply(200, undefined, { headers: okHeaders(expires.seconds).headers ?? [] });
    const subscription = this.#newSubscription(dialog, formatUri(contact.uri), request.source, expiresAt);
    if (this.#closed) {
      // Accepted while closing: end it as close() ended the others.
      void subscription.terminate('deactivated');
      return undefined;
    }
    this.#subscriptions.set(dialog.subscriptionId, subscription);
    let set = this.#byPresentity.get(presentity);
    if (!set) this.#byPresentity.set(presentity, (set = new Set()));
    set.add(subscription);
    this.#schedule(subscription);
    subscription.notify(true);
    this.#watchLapse(presentity);
    return undefined;
  }

  async #resubscribe(request: InboundRequest): Promise<Answer | undefined> {
    const { message, core } = request;
    const headers = message.headers;
    const localTag = tagOf(core.to);
    const remoteTag = tagOf(core.from);
    const id = localTag !== undefined && remoteTag !== undefined ? subscriptionIdOf(core.callId, remoteTag, localTag, eventId(headers)) : undefined;
    const subscription = id === undefined ? undefined : this.#subscriptions.get(id);
    if (!subscription || subscription.terminated) return { status: 481, reason: 'Subscription Does Not Exist' };
    if (eventPackage(headers) !== PRESENCE_EVENT) return BAD_EVENT;
    const { watcher, presentity } = subscription.dialog;
    const refusal = authRefusal(this.#auth.authenticate(message, { aor: watcher, username: userOfAor(watcher) }, 'proxy'));
    if (refusal) return refusal;
    const expires = this.#expires(request);
    if ('status' in expires) return expires;
    const okHeaders: (seconds: number) => Answer = (seconds) => ({
      status: 200,
      headers: [['Expires', String(seconds)], ['Contact', subscription.dialog.localContact]],
    });

    if (expires.seconds === 0) {
      try {
        await this.#commands.execute(presentity, { type: 'UnsubscribeWatcher', data: { subscriptionId: subscription.dialog.subscriptionId } }, this.#metadata(watcher, core.callId));
      } catch (error) {
        // The user is gone (deprovisioned): the subscription ends all the same.
        if (!(error instanceof DomainError)) throw error;
      }
      const answer = okHeaders(0);
      request.reply(answer.status, undefined, { headers: answer.headers ?? [] });
      void this.#forget(subscription, 'timeout');
      return undefined;
    }

    let expiresAt: Date;
    try {
      expiresAt = await this.#subscribeCommand(subscription.dialog, expires.seconds, core.callId);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Blocked since (on another node, or before this view caught up): the dialog ends here too.
      if (error.code === 'watcher_blocked') void this.#forget(subscription, 'rejected');
      return domainRefusal(error);
    }
    const contact = core.contacts.find((c) => c.kind === 'address');
    subscription.refresh(expiresAt, contact?.kind === 'address' ? formatUri(contact.uri) : undefined, request.source);
    const answer = okHeaders(expires.seconds);
    request.reply(answer.status, undefined, { headers: answer.headers ?? [] });
    this.#schedule(subscription);
    subscription.notify(true);
    return undefined;
  }

  /** Granted seconds (0 = end / fetch), or the answer refusing the Expires. */
  #expires(request: InboundRequest): { seconds: number } | Answer {
    const expires = readExpires(request.message.headers);
    if (expires.kind === 'malformed') return { status: 400, reason: 'Malformed Expires Header' };
    const requested = expires.kind === 'seconds' ? expires.seconds : this.#defaultExpires;
    if (requested !== 0 && requested < this.#minExpires) return { status: 423, reason: 'Interval Too Brief', headers: [['Min-Expires', String(this.#minExpires)]] };
    return { seconds: Math.min(requested, this.#maxExpires) };
  }

  /** SubscribeWatcher; resolves with the expiry the log holds. */
  async #subscribeCommand(dialog: SubscriptionDialog, seconds: number, callId: string): Promise<Date> {
    const events = await this.#commands.execute(
      dialog.presentity,
      { type: 'SubscribeWatcher', data: { watcherUri: dialog.watcher, subscriptionId: dialog.subscriptionId, expiresSeconds: seconds } },
      this.#metadata(dialog.watcher, callId),
    );
    const subscribed = events.find((e) => e.type === 'presence.watcher_subscribed.v1');
    return subscribed ? new Date(subscribed.data.expiresAt) : new Date(this.#now().getTime() + seconds * 1000);
  }

  #newSubscription(dialog: SubscriptionDialog, remoteTarget: string, flow: FlowRef, expiresAt: Date): PresenceSubscription {
    return new PresenceSubscription({
      dialog,
      remoteTarget,
      flow,
      expiresAt,
      sender: this.#sender,
      presence: this.#presence,
      now: this.#now,
      onFailed: (s) => void this.#watcherGone(s),
      logger: this.#log,
    });
  }

  #schedule(subscription: PresenceSubscription): void {
    this.#cancelTimer(subscription);
    const delay = Math.max(0, subscription.expiresAt.getTime() - this.#now().getTime()) + this.#expiryGraceMs;
    this.#timers.set(subscription, this.#scheduler.setTimeout(() => void this.#expire(subscription), delay));
  }

  #cancelTimer(subscription: PresenceSubscription): void {
    const timer = this.#timers.get(subscription);
    if (timer !== undefined) this.#scheduler.clearTimeout(timer);
    this.#timers.delete(subscription);
  }

  /** Not refreshed in time: final NOTIFY, and the sweep writes the lapse (watcher_unsubscribed, reason expired). */
  async #expire(subscription: PresenceSubscription): Promise<void> {
    this.#timers.delete(subscription);
    if (this.#subscriptions.get(subscription.dialog.subscriptionId) !== subscription) return;
    const { presentity, watcher, callId } = subscription.dialog;
    const final = this.#forget(subscription, 'timeout');
    try {
      await this.#commands.execute(presentity, { type: 'SweepExpired', data: {} }, this.#metadata(watcher, callId));
    } catch (error) {
      this.#log.warn({ err: error, presentity }, 'could not write the lapsed subscription; the next sweep will');
    }
    await final;
  }

  /** A NOTIFY failed: the watcher is gone; write it off as an unsubscribe. */
  async #watcherGone(subscription: PresenceSubscription): Promise<void> {
    if (this.#subscriptions.get(subscription.dialog.subscriptionId) !== subscription) return;
    this.#remove(subscription);
    const { presentity, watcher, callId, subscriptionId } = subscription.dialog;
    try {
      await this.#commands.execute(presentity, { type: 'UnsubscribeWatcher', data: { subscriptionId } }, this.#metadata(watcher, callId));
    } catch (error) {
      this.#log.warn({ err: error, presentity, subscriptionId }, 'could not write the end of a failed subscription; it lapses at its expiry');
    }
  }

  #forget(subscription: PresenceSubscription, reason: TerminationReason): Promise<void> {
    this.#remove(subscription);
    return subscription.terminate(reason);
  }

  #remove(subscription: PresenceSubscription): void {
    this.#cancelTimer(subscription);
    const { subscriptionId, presentity } = subscription.dialog;
    if (this.#subscriptions.get(subscriptionId) === subscription) this.#subscriptions.delete(subscriptionId);
    const set = this.#byPresentity.get(presentity);
    set?.delete(subscription);
    if (set?.size === 0) {
      this.#byPresentity.delete(presentity);
      this.#watchLapse(presentity);
    }
  }

  #metadata(actor: string, callId: string): CommandMetadata {
    return { correlationId: `sip:${callId}`.slice(0, 200), causationId: null, actor, node: this.#nodeId };
  }
}

/**
 * The log's id of a subscription: the dialog id (RFC 6665 §4.1.2: Call-ID,
 * both tags, and the Event id). Readable when it fits the schema's 512
 * characters, hashed when a long Call-ID would not.
 */
export function subscriptionIdOf(callId: string, remoteTag: string, localTag: string, eventIdValue: string | undefined): string {
  const id = `${localTag};${remoteTag};${callId}${eventIdValue === undefined ? '' : `;${eventIdValue}`}`;
  return id.length <= 512 && /^[\x21-\x7e]+$/.test(id) ? id : `sha256-${createHash('sha256').update(id).digest('hex')}`;
}
