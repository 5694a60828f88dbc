/**
 * A synthetic but valid day of a front-end pool, for bench:projections (and the
 * CLI tests): users provisioned with credentials, endpoints registering and
 * refreshing, presence publications, user-to-user calls (ringing, answered or
 * not, ended) and IM sessions with delivered messages. Every event passes
 * domainCatalogue and every stream is a plausible decider output (a binding is
 * registered before it is refreshed or published on, a publication is withdrawn
 * with its own etag, a call rings before it is answered), so a projection that
 * throws on an impossible event does not fail on this data.
 *
 * Deterministic: a seeded generator and a simulated clock (no Date.now), so two
 * runs with the same size produce the same log apart from event ids.
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { AVAILABILITY_CODES, type Availability } from '../src/events/domain/availability.ts';
import type { DomainEvent } from '../src/events/domain/domain-catalogue.ts';
import type { NewEvent } from '../src/events/envelope.ts';
import type { ExpectedVersion } from '../src/events/expected-version.ts';
import { callStreamId, imStreamId, userStreamId } from '../src/commands/stream-ids.ts';

/** One append: a stream, its events, and the version the stream is at before them. */
export interface WorkloadAppend {
  readonly streamId: string;
  readonly events: NewEvent<DomainEvent>[];
  readonly expectedVersion: ExpectedVersion;
}

export interface WorkloadOptions {
  /** Events in all; the last round is cut to land exactly on it. */
  readonly events: number;
  /** Distinct users. Default: one per 200 events, at least 10. */
  readonly users?: number;
  /** Events per round (every stream appears at most once in a round). Default 10,000. */
  readonly roundEvents?: number;
  /** Default 1. */
  readonly seed?: number;
  /** SIP domain. Default `example.test`. */
  readonly domain?: string;
}

const START = Date.UTC(2026, 0, 5, 8, 0, 0);
const REALM = 'chorus';
const AVAILABILITIES = Object.keys(AVAILABILITY_CODES) as Availability[];
const USER_AGENTS = ['Office Communicator 3.5.6907', 'Lync 2010 (4.0.7577)', 'baresip 3.10.1', 'Linphone 5.2'];

/** mulberry32: small, fast and good enough to pick a workload mix. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Binding {
  readonly endpointId: string;
  contact: string;
  /** The live publication's entity tag, if the endpoint published. */
  etag: string | null;
}

interface User {
  readonly sipUri: string;
  readonly streamId: string;
  version: number;
  readonly bindings: Binding[];
}

/**
 * Produces the workload round by round. A round's appends touch distinct
 * streams, so they can all be issued concurrently (the store group-commits
 * them) with exact expected versions.
 */
export class DomainWorkload {
  readonly #random: () => number;
  readonly #total: number;
  readonly #roundEvents: number;
  readonly #domain: string;
  readonly #users: User[] = [];
  #produced = 0;
  #clock = START;
  #ids = 0;
  #nextUser = 0;

  constructor(options: WorkloadOptions) {
    this.#random = seeded(options.seed ?? 1);
    this.#total = options.events;
    this.#roundEvents = options.roundEvents ?? 10_000;
    this.#domain = options.domain ?? 'example.test';
    const users = options.users ?? Math.max(10, Math.floor(options.events / 200));
    for (let i = 0; i < users; i++) {
      const sipUri = `sip:user${i}@${this.#domain}`;
      this.#users.push({ sipUri, streamId: userStreamId(sipUri), version: -1, bindings: [] });
    }
  }

  get produced(): number {
    return this.#produced;
  }

  /** Rounds until `events` have been produced: provisioning first, then the day's traffic. */
  *rounds(): Generator<WorkloadAppend[]> {
    for (let from = 0; from < this.#users.length && this.#produced < this.#total; ) {
      const round: WorkloadAppend[] = [];
      let events = 0;
      for (; from < this.#users.length && events < this.#roundEvents && this.#produced < this.#total; from++) {
        const append = this.#cut(this.#provision(this.#users[from]!));
        round.push(append);
        events += append.events.length;
      }
      yield round;
    }
    while (this.#produced < this.#total) yield this.#trafficRound();
  }

  #trafficRound(): WorkloadAppend[] {
    const round: WorkloadAppend[] = [];
    const touched = new Set<string>();
    let events = 0;
    while (events < this.#roundEvents && this.#produced < this.#total) {
      const pick = this.#random();
      let append: WorkloadAppend | null;
      // Mix by appends; by events it comes to roughly 40 % registration, 20 % presence, 20 % calls, 20 % IM.
      if (pick < 0.5) append = this.#userActivity(touched);
      else if (pick < 0.8) append = this.#call();
      else append = this.#imSession();
      if (append === null) break; // every user already has an append in this round
      append = this.#cut(append);
      round.push(append);
      events += append.events.length;
    }
    return round;
  }

  /** The last append is shortened so the total lands exactly on `events`; a prefix of a valid stream is valid. */
  #cut(append: WorkloadAppend): WorkloadAppend {
    const left = this.#total - this.#produced;
    const events = append.events.length > left ? append.events.slice(0, left) : append.events;
    this.#produced += events.length;
    return { ...append, events };
  }

  #tick(): string {
    this.#clock += 1 + Math.floor(this.#random() * 40);
    return new Date(this.#clock).toISOString();
  }

  #id(prefix: string): string {
    this.#ids += 1;
    return `${prefix}${this.#ids.toString(36)}`;
  }

  #event<T extends DomainEvent['type']>(type: T, data: Extract<DomainEvent, { type: T }>['data'], at: string, actor: string): NewEvent<DomainEvent> {
    return {
      id: uuidv7(),
      type,
      data,
      metadata: { occurredAt: at, correlationId: this.#id('corr-'), causationId: null, actor, node: 'bench-fe1' },
    } as NewEvent<DomainEvent>;
  }

  #userAppend(user: User, events: NewEvent<DomainEvent>[]): WorkloadAppend {
    const expectedVersion: ExpectedVersion = user.version < 0 ? 'no_stream' : user.version;
    user.version += events.length;
    return { streamId: user.streamId, events, expectedVersion };
  }

  #provision(user: User): WorkloadAppend {
    const at = this.#tick();
    const n = this.#users.indexOf(user);
    const name = user.sipUri.slice('sip:'.length, user.sipUri.indexOf('@'));
    const md5 = createHash('md5').update(`${name}:${REALM}:secret-${n}`).digest('hex');
    const sha = createHash('sha256').update(`${name}:${REALM}:secret-${n}`).digest('hex');
    const voice = n % 3 === 0;
    return this.#userAppend(user, [
      this.#event(
        'directory.user_provisioned.v1',
        {
          sipUri: user.sipUri,
          displayName: `User ${n}`,
          lineUri: voice ? `tel:+1425555${String(n % 10_000).padStart(4, '0')}` : null,
          enterpriseVoiceEnabled: voice,
          dialPlan: null,
          voicePolicy: null,
          maxEndpoints: 8,
          at,
        },
        at,
        'sip:admin@example.test',
      ),
      this.#event('directory.credentials_set.v1', { sipUri: user.sipUri, realm: REALM, ha1Md5: md5, ha1Sha256: sha, at }, at, 'sip:admin@example.test'),
    ]);
  }

  #freeUser(touched: Set<string>): User | null {
    for (let tries = 0; tries < this.#users.length; tries++) {
      const user = this.#users[this.#nextUser]!;
      this.#nextUser = (this.#nextUser + 1) % this.#users.length;
      if (!touched.has(user.streamId)) {
        touched.add(user.streamId);
        return user;
      }
    }
    return null;
  }

  #address(): string {
    const r = this.#random;
    return `10.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}.${1 + Math.floor(r() * 250)}:${5060 + Math.floor(r() * 4000)}`;
  }

  /** Registrations, refreshes and publications of one user's endpoints: what a REGISTER/PUBLISH burst writes. */
  #userActivity(touched: Set<string>): WorkloadAppend | null {
    const user = this.#freeUser(touched);
    if (user === null) return null;
    const events: NewEvent<DomainEvent>[] = [];
    const steps = 4 + Math.floor(this.#random() * 8);
    for (let s = 0; s < steps; s++) {
      const at = this.#tick();
      const expiresAt = new Date(Date.parse(at) + 3_600_000).toISOString();
      const pick = this.#random();
      if (user.bindings.length === 0 || (user.bindings.length < 3 && pick < 0.1)) {
        const endpointId = this.#id('ep-');
        const address = this.#address();
        const binding: Binding = { endpointId, contact: `sip:${endpointId}@${address};transport=tcp`, etag: null };
        user.bindings.push(binding);
        events.push(
          this.#event(
            'endpoint.registered.v1',
            {
              sipUri: user.sipUri,
              endpointId,
              contact: binding.contact,
              transport: 'tcp',
              sourceAddress: address,
              userAgent: USER_AGENTS[Math.floor(this.#random() * USER_AGENTS.length)]!,
              expiresAt,
              instanceId: `<urn:uuid:${uuidv7()}>`,
              at,
            },
            at,
            user.sipUri,
          ),
        );
        continue;
      }
      const binding = user.bindings[Math.floor(this.#random() * user.bindings.length)]!;
      if (pick < 0.5) {
        events.push(
          this.#event(
            'endpoint.refreshed.v1',
            {
              sipUri: user.sipUri,
              endpointId: binding.endpointId,
              contact: binding.contact,
              transport: 'tcp',
              sourceAddress: binding.contact.slice(binding.contact.indexOf('@') + 1, binding.contact.indexOf(';')),
              userAgent: null,
              expiresAt,
              at,
            },
            at,
            user.sipUri,
          ),
        );
      } else if (pick < 0.93) {
        const availability = AVAILABILITIES[Math.floor(this.#random() * (AVAILABILITIES.length - 1))]!;
        binding.etag = this.#id('etag-');
        events.push(
          this.#event(
            'presence.published.v1',
            {
              sipUri: user.sipUri,
              endpointId: binding.endpointId,
              availability,
              code: AVAILABILITY_CODES[availability],
              activity: availability === 'busy' ? 'in-a-meeting' : null,
              note: null,
              etag: binding.etag,
              expiresAt,
              at,
            },
            at,
            user.sipUri,
          ),
        );
      } else {
        // REGISTER with Expires 0: the binding goes, and its publication with it.
        user.bindings.splice(user.bindings.indexOf(binding), 1);
        events.push(
          this.#event('endpoint.unregistered.v1', { sipUri: user.sipUri, endpointId: binding.endpointId, contact: binding.contact, at }, at, user.sipUri),
        );
        if (binding.etag !== null)
          events.push(
            this.#event(
              'presence.withdrawn.v1',
              { sipUri: user.sipUri, endpointId: binding.endpointId, etag: binding.etag, reason: 'endpoint_unregistered', at },
              at,
              user.sipUri,
            ),
          );
      }
    }
    return this.#userAppend(user, events);
  }

  #twoUsers(): [User, User] {
    const a = Math.floor(this.#random() * this.#users.length);
    const b = (a + 1 + Math.floor(this.#random() * (this.#users.length - 1))) % this.#users.length;
    return [this.#users[a]!, this.#users[b]!];
  }

  /** One call on its own stream: initiated, routed to the callee's contacts, then answered, unanswered or busy. */
  #call(): WorkloadAppend {
    const [caller, callee] = this.#twoUsers();
    const sipCallId = `${this.#id('c')}@fe1.${this.#domain}`;
    const contacts = callee.bindings.length > 0 ? callee.bindings.map((b) => b.contact) : [`sip:${callee.sipUri.slice(4)}`];
    const actor = caller.sipUri;
    const t0 = this.#tick();
    const events = [
      this.#event('call.initiated.v1', { sipCallId, at: t0, caller: caller.sipUri, dialledString: callee.sipUri, normalizedNumber: null }, t0, actor),
    ];
    const t1 = this.#tick();
    events.push(this.#event('call.routed.v1', { sipCallId, at: t1, route: { kind: 'user', target: callee.sipUri, contacts } }, t1, actor));
    const outcome = this.#random();
    if (outcome < 0.1) {
      const t2 = this.#tick();
      events.push(this.#event('call.ended.v1', { sipCallId, at: t2, cause: 'busy', sipStatus: 486, durationSeconds: 0 }, t2, actor));
      return { streamId: callStreamId(sipCallId), events, expectedVersion: 'no_stream' };
    }
    const t2 = this.#tick();
    events.push(this.#event('call.ringing.v1', { sipCallId, at: t2, contact: contacts[0]! }, t2, actor));
    if (outcome < 0.3) {
      const t3 = this.#tick();
      events.push(this.#event('call.ended.v1', { sipCallId, at: t3, cause: 'no_answer', sipStatus: 480, durationSeconds: 0 }, t3, actor));
    } else {
      const t3 = this.#tick();
      events.push(this.#event('call.answered.v1', { sipCallId, at: t3, contact: contacts[0]! }, t3, callee.sipUri));
      const duration = 5 + Math.floor(this.#random() * 900);
      const t4 = new Date(Date.parse(t3) + duration * 1000).toISOString();
      events.push(this.#event('call.ended.v1', { sipCallId, at: t4, cause: 'completed', sipStatus: 200, durationSeconds: duration }, t4, actor));
    }
    return { streamId: callStreamId(sipCallId), events, expectedVersion: 'no_stream' };
  }

  /** One IM session on its own stream: started, a few messages each delivered, ended. */
  #imSession(): WorkloadAppend {
    const [a, b] = this.#twoUsers();
    const sessionId = `${this.#id('im')}@fe1.${this.#domain}`;
    const t0 = this.#tick();
    const events = [
      this.#event('im.session_started.v1', { sessionId, initiator: a.sipUri, participants: [a.sipUri, b.sipUri], at: t0 }, t0, a.sipUri),
    ];
    const messages = 1 + Math.floor(this.#random() * 6);
    for (let m = 0; m < messages; m++) {
      const [from, to] = m % 2 === 0 ? [a, b] : [b, a];
      const messageId = this.#id('m-');
      const archived = this.#random() < 0.2;
      const t = this.#tick();
      events.push(
        this.#event(
          'im.message_sent.v1',
          {
            sessionId,
            messageId,
            sender: from.sipUri,
            recipients: [to.sipUri],
            contentType: 'text/plain; charset=utf-8',
            body: archived ? `message ${m} of ${sessionId}` : null,
            archived,
            at: t,
          },
          t,
          from.sipUri,
        ),
      );
      const td = this.#tick();
      events.push(this.#event('im.message_delivered.v1', { sessionId, messageId, recipient: to.sipUri, sipStatus: 200, at: td }, td, from.sipUri));
    }
    const te = this.#tick();
    events.push(this.#event('im.session_ended.v1', { sessionId, endedBy: a.sipUri, reason: 'BYE', at: te }, te, a.sipUri));
    return { streamId: imStreamId(sessionId), events, expectedVersion: 'no_stream' };
  }
}
