import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { CommandMetadata } from '../../commands/command-handler.ts';
import { DomainError } from '../../commands/domain-error.ts';
import { SipUriSchema, type SipTransport } from '../../events/domain/primitives.ts';
import { logger as moduleLogger } from '../../logging/logger.ts';
import type { AuthIdentity, AuthOutcome, AuthRequest, AuthRole } from '../auth/digest-authenticator.ts';
import type { HeaderInit } from '../sip/message.ts';
import type { IncomingRequest } from '../sip/sip-engine.ts';
import { quote, unescapeComponent } from '../sip/grammar.ts';
import { isSipUri } from '../sip/uri.ts';
import type { BindingCommand, BindingLedger, CurrentBinding, LedgerOutcome } from './binding-ledger.ts';
import { FlowTable } from './flow-table.ts';
import { planRegistration, type ContactChange, type ExpiryLimits, type RegistrationPlan } from './registration-plan.ts';

/** The authentication the registrar needs; DigestAuthenticator provides it. */
export interface RequestAuthenticator {
  authenticate(request: AuthRequest, identity: AuthIdentity, role: AuthRole): AuthOutcome;
}

export type RegistrarOptions = {
  readonly authenticator: RequestAuthenticator;
  readonly ledger: BindingLedger;
  /** Where flows of registered contacts are kept. Default: a new, private table. */
  readonly flows?: FlowTable;
  /** Default 60 s (RFC 3261 leaves it to the registrar; 60 matches common registrars). */
  readonly minExpires?: number;
  /** Default 3600 s (RFC 3261 §10.2.1.1). */
  readonly defaultExpires?: number;
  /** Default 86 400 s, the longest the user decider accepts (OCS's maximum too). */
  readonly maxExpires?: number;
  /** `node` in event metadata. Default: the host name. */
  readonly nodeId?: string;
  /** For the seconds-left in 200 OK Contacts and the Date header. Default: the system clock. */
  readonly now?: () => Date;
  readonly logger?: Logger;
};

/**
 * What the registrar uses of a server transaction: the engine's IncomingRequest
 * satisfies it, and so can any other SIP stack's adapter.
 */
export type RegisterTransaction = Pick<IncomingRequest, 'request' | 'core' | 'source' | 'reply'>;

/** The reply a registration ends with. */
type Answer = { readonly status: number; readonly reason?: string; readonly headers?: readonly HeaderInit[] };

/** Bounds the Call-ID → CSeq memory used to spot out-of-order REGISTERs. */
const MAX_TRACKED_CALL_IDS = 100_000;

/**
 * The REGISTER handler (RFC 3261 §10.3): authenticate, read the contacts, turn
 * them into the user decider's RegisterEndpoint / UnregisterEndpoint commands,
 * append them, and only then answer 200 OK with every current binding.
 *
 * Responses, by cause:
 * - no / wrong / stale credentials, unknown user: 401 with a fresh challenge;
 * - authenticated username is not the AOR's user: 403 (§10.3 step 4);
 * - To is not a usable sip: AOR: 404 (§10.3 step 5);
 * - malformed Expires / Contact parameters, `*` without `Expires: 0`: 400;
 * - a non-zero expiry under the minimum: 423 with Min-Expires;
 * - REGISTER older than the last one of the same Call-ID: 500 (§10.3 step 7);
 * - the decider's `endpoint_limit`: 403 "Too Many Registrations" with a
 *   Warning. Not 503 (nothing is wrong with the server, and 503 invites the
 *   client to retry elsewhere) and not 486/600 (those answer a call): the
 *   server understood and refuses, and the same request will keep being
 *   refused until another device unregisters, which is 403's meaning;
 * - `deprovisioned`: 403; `not_provisioned`: 404;
 * - anything else (store down, repeated write conflicts): 500, nothing acknowledged.
 */
export class Registrar {
  readonly #auth: RequestAuthenticator;
  readonly #ledger: BindingLedger;
  readonly #flows: FlowTable;
  readonly #limits: ExpiryLimits;
  readonly #nodeId: string;
  readonly #now: () => Date;
  readonly #log: Logger;
  /** `aor \0 Call-ID` → highest CSeq applied; insertion order is recency order. */
  readonly #lastCSeq = new Map<string, number>();

  constructor(options: RegistrarOptions) {
    this.#auth = options.authenticator;
    this.#ledger = options.ledger;
    this.#flows = options.flows ?? new FlowTable();
    this.#limits = {
      minExpires: options.minExpires ?? 60,
      defaultExpires: options.defaultExpires ?? 3600,
      maxExpires: options.maxExpires ?? 86_400,
    };
    const { minExpires, defaultExpires, maxExpires } = this.#limits;
    if (!(minExpires >= 1 && minExpires <= defaultExpires && defaultExpires <= maxExpires && maxExpires <= 86_400)) {
      throw new RangeError(`need 1 <= minExpires <= defaultExpires <= maxExpires <= 86400, got ${minExpires}/${defaultExpires}/${maxExpires}`);
    }
    this.#nodeId = options.nodeId ?? hostname();
    this.#now = options.now ?? (() => new Date());
    this.#log = options.logger ?? moduleLogger('sip-registrar');
  }

  get flows(): FlowTable {
    return this.#flows;
  }

  /** Handles one REGISTER; resolves once it is answered. Never rejects. */
  async handle(incoming: RegisterTransaction): Promise<void> {
    let answer: Answer;
    try {
      answer = await this.#register(incoming);
    } catch (error) {
      this.#log.error({ err: error, callId: incoming.core.callId }, 'REGISTER failed');
      answer = { status: 500 };
    }
    incoming.reply(answer.status, answer.reason, answer.headers ? { headers: answer.headers } : {});
  }

  async #register(incoming: RegisterTransaction): Promise<Answer> {
    const { request, core, source } = incoming;
    if (request.method !== 'REGISTER') return { status: 405, headers: [['Allow', 'REGISTER']] };
    const identity = identityOf(incoming);
    if (!identity) return { status: 404, reason: 'Not Found' };

    const auth = this.#auth.authenticate(request, identity, 'www');
    switch (auth.kind) {
      case 'authorized':
        break;
      case 'challenge':
        return { status: auth.status, headers: auth.headers };
      case 'forbidden':
        return { status: 403, reason: 'Forbidden' };
      case 'malformed':
        return { status: 400, reason: auth.reason };
      default: {
        const never: never = auth;
        return never;
      }
    }

    const plan = planRegistration(request.headers, core.contacts, this.#limits);
    if (!plan.ok) return plan.error;

    const orderKey = `${identity.aor}\0${core.callId}`;
    const previous = this.#lastCSeq.get(orderKey);
    if (plan.value.kind !== 'query' && previous !== undefined && core.cseq.seq <= previous) {
      return { status: 500, reason: 'Out Of Order REGISTER', headers: [['Retry-After', '1']] };
    }

    const commands = commandsFor(plan.value, source.protocol, sourceAddress(source.address, source.port), request.headers.get('User-Agent'));
    let outcome: LedgerOutcome;
    try {
      outcome = await this.#ledger.apply(identity.aor, commands, this.#metadata(identity.aor, core.callId));
    } catch (error) {
      if (error instanceof DomainError) return refusal(error);
      throw error;
    }
    if (plan.value.kind !== 'query') this.#rememberCSeq(orderKey, core.cseq.seq);
    this.#recordFlows(identity.aor, plan.value, outcome, incoming);
    return { status: 200, headers: this.#okHeaders(outcome) };
  }

  #recordFlows(aor: string, plan: RegistrationPlan, outcome: LedgerOutcome, incoming: RegisterTransaction): void {
    const changes = plan.kind === 'update' ? plan.changes : [];
    for (const event of outcome.events) {
      if (event.type !== 'endpoint.registered.v1' && event.type !== 'endpoint.refreshed.v1') continue;
      const change = changes.find((c) => c.contact === event.data.contact);
      this.#flows.record({
        endpointId: event.data.endpointId,
        aor,
        flowId: incoming.source.flowId,
        transport: event.data.transport,
        regId: change?.regId,
        q: change?.q,
      });
    }
    this.#flows.retain(aor, new Set(outcome.bindings.map((b) => b.endpointId)));
  }

  #okHeaders(outcome: LedgerOutcome): HeaderInit[] {
    const at = Date.parse(outcome.at);
    const headers: HeaderInit[] = outcome.bindings.map((b) => ['Contact', this.#contactValue(b, at)]);
    headers.push(['Date', this.#now().toUTCString()]);
    return headers;
  }

  #contactValue(binding: CurrentBinding, at: number): string {
    const left = Math.max(0, Math.ceil((Date.parse(binding.expiresAt) - at) / 1000));
    const flow = this.#flows.flowOf(binding.endpointId);
    let value = `<${binding.contact}>;expires=${left}`;
    if (flow?.q !== undefined) value += `;q=${flow.q}`;
    if (binding.instanceId !== null) value += `;+sip.instance=${quote(binding.instanceId)}`;
    if (flow?.regId !== undefined) value += `;reg-id=${flow.regId}`;
    return value;
  }

  #metadata(aor: string, callId: string): CommandMetadata {
    return { correlationId: `sip:${callId}`.slice(0, 200), causationId: null, actor: aor, node: this.#nodeId };
  }

  #rememberCSeq(key: string, seq: number): void {
    this.#lastCSeq.delete(key);
    this.#lastCSeq.set(key, seq);
    if (this.#lastCSeq.size > MAX_TRACKED_CALL_IDS) {
      const oldest = this.#lastCSeq.keys().next();
      if (oldest.done !== true) this.#lastCSeq.delete(oldest.value);
    }
  }
}

/** The AOR of the To header (RFC 3261 §10.3 step 5), canonical `sip:user@host`, and the digest username for it. */
function identityOf(incoming: RegisterTransaction): AuthIdentity | undefined {
  const uri = incoming.core.to.uri;
  if (!isSipUri(uri) || uri.user === undefined) return undefined;
  const username = unescapeComponent(uri.user);
  const aor = `sip:${username}@${uri.host.toLowerCase()}`;
  return SipUriSchema.safeParse(aor).success ? { aor, username } : undefined;
}

function commandsFor(plan: RegistrationPlan, protocol: SipTransport, source: string, userAgent: string | undefined): BindingCommand[] {
  switch (plan.kind) {
    case 'query':
      return [];
    case 'remove-all':
      return [{ type: 'UnregisterEndpoint', data: { contact: '*' } }];
    case 'update':
      return plan.changes.map((c) => commandFor(c, protocol, source, userAgent));
    default: {
      const never: never = plan;
      return never;
    }
  }
}

function commandFor(change: ContactChange, protocol: SipTransport, source: string, userAgent: string | undefined): BindingCommand {
  const instance = change.instanceId === undefined ? {} : { instanceId: change.instanceId };
  if (change.expires === 0) return { type: 'UnregisterEndpoint', data: { contact: change.contact, ...instance } };
  return {
    type: 'RegisterEndpoint',
    data: {
      contact: change.contact,
      ...instance,
      transport: protocol,
      sourceAddress: source,
      ...(userAgent !== undefined ? { userAgent: userAgent.slice(0, 512) } : {}),
      expiresSeconds: change.expires,
    },
  };
}

/** The address the request really came from (RFC 3581 received/rport), `ip:port` or `[v6]:port`. */
function sourceAddress(address: string, port: number): string {
  const plain = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return plain.includes(':') ? `[${plain}]:${port}` : `${plain}:${port}`;
}

function refusal(error: DomainError): Answer {
  switch (error.code) {
    case 'endpoint_limit':
      return { status: 403, reason: 'Too Many Registrations', headers: [['Warning', `399 chorus ${quote(error.detail)}`]] };
    case 'deprovisioned':
      return { status: 403, reason: 'Forbidden' };
    case 'not_provisioned':
      return { status: 404, reason: 'Not Found' };
    default:
      return { status: 500 };
  }
}
