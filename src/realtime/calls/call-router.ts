import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { CallCommand } from '../../commands/call/call-commands.ts';
import type { CommandMetadata } from '../../commands/command-handler.ts';
import { DialledStringSchema, SipCallIdSchema } from '../../events/domain/call-events.ts';
import { ContactUriSchema } from '../../events/domain/primitives.ts';
import type { Gateway } from '../../events/domain/voice-config-events.ts';
import { logger as moduleLogger, type Logger } from '../../logging/logger.ts';
import type { Binding, LocationReader } from '../../projections/location/index.ts';
import { resolveRoutingInput, type RoutingReader } from '../../projections/routing/index.ts';
import type { AuthIdentity, AuthOutcome, AuthRequest, AuthRole } from '../auth/digest-authenticator.ts';
import type { BranchOutcome, ProxyOperation, ProxyResult, ProxyTarget } from '../engine/proxy-operation.ts';
import type { InboundRequest, NextHop, TransportName } from '../engine/signaling-engine.ts';
import { parseNameAddr, tagOf } from '../sip/name-addr.ts';
import type { SipResponse } from '../sip/message.ts';
import { formatUri } from '../sip/uri.ts';
import type { CallCommandSink } from './call-command-sink.ts';
import { CallEventRecorder } from './call-event-recorder.ts';
import { planDialled, planForward, planUser, type ExtraLeg, type Leg, type Plan, type PlanContext } from './call-plan.ts';
import { CallTable, type ActiveCall } from './call-table.ts';
import { callerOf, dialledOf } from './dialled-target.ts';
import { endCauseOf } from './end-cause.ts';
import { inboundCallerOf, inboundNumberOf } from './inbound-gateway.ts';
import { mediaStateOf } from './media-direction.ts';

/** The digest check the router needs; DigestAuthenticator provides it (role `proxy`: 407 / Proxy-Authorization). */
export interface CallAuthenticator {
  authenticate(request: AuthRequest, identity: AuthIdentity, role: AuthRole): AuthOutcome;
}

export type CallRouterOptions = {
  readonly authenticator: CallAuthenticator;
  /** Users, numbers, forwarding, dial plans, policies, routes, gateways: the routing view. */
  readonly routing: RoutingReader;
  /** Live contacts: the location view. */
  readonly location: Pick<LocationReader, 'liveContacts'>;
  /** Where call commands are decided and appended (EventStoreCallCommandSink). */
  readonly commands: CallCommandSink;
  /**
   * Where a branch to a registered contact is sent. Default: the address the
   * REGISTER came from (`sourceAddress`) over its transport, so a phone behind
   * NAT is reached through its binding; WebSocket contacts get no hop (wire
   * `registeredContactHop` over the registrar's FlowTable here to reach them
   * over their connection, as the SIP plane does).
   */
  readonly nextHopOf?: (binding: Binding) => NextHop | undefined;
  /**
   * A gateway that has not answered at all (not even 100 Trying) after this long
   * is given up and the next one tried. Default 5000 ms; 0 turns it off (timer
   * B / timer C then decide).
   */
  readonly gatewayResponseTimeoutMs?: number;
  /** Calls remembered for their in-dialog requests. Default 100 000. */
  readonly maxTrackedCalls?: number;
  /** Retries of a failed call command. Default 3 tries (see CallEventRecorder). */
  readonly commandAttempts?: number;
  /** `node` in event metadata. Default: the host name. */
  readonly nodeId?: string;
  /** Stamps every call event and judges binding expiry. Default: the system clock. */
  readonly now?: () => Date;
  /** Registers the lost-call-event counter here. Default: no metrics. */
  readonly metrics?: Registry;
  readonly logger?: Logger;
};

const ADDRESS_TRANSPORTS: ReadonlySet<TransportName> = new Set(['udp', 'tcp', 'tls']);
/** Connection-oriented transports: a party that came over one is reached back over it (RFC 5626 §5.3, RFC 7118 §6). */
const STREAM_TRANSPORTS: ReadonlySet<TransportName> = new Set(['tcp', 'tls', 'ws', 'wss']);

/** The hop to a binding's source address (`ip:port`, `[v6]:port`). */
export function sourceAddressHop(binding: Binding): NextHop | undefined {
  if (!ADDRESS_TRANSPORTS.has(binding.transport)) return undefined;
  const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(binding.sourceAddress);
  if (!m?.[1] || !m[2]) return undefined;
  return { kind: 'address', transport: binding.transport, address: m[1], port: Number(m[2]) };
}

/** Why a fork stopped without an answer, for busy / no-answer forwarding. */
function forwardReasonOf(leg: Extract<Leg, { kind: 'user' }>, outcomes: readonly BranchOutcome[]): 'busy' | 'no_answer' | undefined {
  const status = (o: BranchOutcome) => (o.kind === 'response' ? o.response.status : undefined);
  // A 6xx ends the search (RFC 3261 §16.7 step 5), whatever the forwarding says.
  if (outcomes.some((o) => (status(o) ?? 0) >= 600)) return undefined;
  // Busy: some phone said so and none of the others is merely ringing on (an offline one does not count).
  if (leg.busy !== null && outcomes.some((o) => status(o) === 486) && outcomes.every((o) => status(o) === 486 || o.kind === 'transport-error')) return 'busy';
  if (leg.noAnswer !== null && outcomes.some((o) => o.kind === 'timeout')) return 'no_answer';
  return undefined;
}

/**
 * The call router: a record-routing stateful proxy for INVITE, written against
 * the engine port. An out-of-dialog INVITE is authenticated (407), its
 * Request-URI normalized with the caller's dial plan, and routed from the
 * in-memory views (never SQL): to a local user's live contacts and
 * simultaneous-ring targets in parallel, through their forwarding (immediate,
 * unreachable, busy, no answer), or to the PSTN through the caller's voice
 * policy, usage, route and gateways one after the other. In-dialog requests of
 * its calls follow the Record-Route back through it: BYE ends the call, a
 * re-INVITE with a sendonly/inactive offer holds it and a sendrecv one resumes it.
 *
 * Every step becomes a call command (`call.initiated` … `call.ended`) recorded
 * off the signalling path by a CallEventRecorder: per call in order, retried,
 * and logged and counted when lost.
 *
 * Answers the router gives itself: 407 (challenge), 400 (malformed
 * credentials), 403 (identity mismatch, not allowed to call the number), 404
 * (no such user, nothing routable), 416 (a URI scheme it cannot route), 480
 * (no live contact, no forward), 482 (forwarding loop), 485 (number held by two
 * users), 500 (a route without gateways). Everything else is the callee's or the
 * gateway's answer, proxied upstream.
 */
export class CallRouter {
  readonly #auth: CallAuthenticator;
  readonly #routing: RoutingReader;
  readonly #location: Pick<LocationReader, 'liveContacts'>;
  readonly #nextHopOf: (binding: Binding) => NextHop | undefined;
  readonly #gatewayTimeoutMs: number;
  readonly #nodeId: string;
  readonly #now: () => Date;
  readonly #log: Logger;
  readonly #recorder: CallEventRecorder;
  readonly #calls: CallTable;
  /** sipCallId → timers of team-call legs still to join the fork (cleared when the fork ends or forwards). */
  readonly #legTimers = new Map<string, Set<NodeJS.Timeout>>();
  #closed: Promise<void> | undefined;

  constructor(options: CallRouterOptions) {
    this.#auth = options.authenticator;
    this.#routing = options.routing;
    this.#location = options.location;
    this.#nextHopOf = options.nextHopOf ?? sourceAddressHop;
    this.#gatewayTimeoutMs = options.gatewayResponseTimeoutMs ?? 5000;
    if (!(this.#gatewayTimeoutMs >= 0)) throw new RangeError(`gatewayResponseTimeoutMs must not be negative, got ${this.#gatewayTimeoutMs}`);
    this.#nodeId = options.nodeId ?? hostname();
    this.#now = options.now ?? (() => new Date());
    this.#log = options.logger ?? moduleLogger('call-router');
    this.#calls = new CallTable(options.maxTrackedCalls);
    this.#recorder = new CallEventRecorder({
      sink: options.commands,
      logger: this.#log,
      ...(options.commandAttempts !== undefined ? { maxAttempts: options.commandAttempts } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
  }

  /** Call events recorded off the signalling path; `idle()` waits for them. */
  get recorder(): CallEventRecorder {
    return this.#recorder;
  }

  /** Calls between their INVITE and their end. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /**
   * Takes an out-of-dialog INVITE, or an in-dialog request / ACK of a call it
   * routed. Returns false, touching nothing, for anything else (REGISTER,
   * SUBSCRIBE, MESSAGE, an in-dialog request of a dialog it does not know): the
   * caller hands those to their own handler or proxies them by their Route.
   */
  handle(request: InboundRequest): boolean {
    if (this.#closed) return false;
    const method = request.message.method;
    if (request.inDialog || method === 'ACK') {
      const call = this.#calls.get(request.core.callId);
      if (!call) return false;
      this.#inDialog(request, call);
      return true;
    }
    if (method !== 'INVITE') return false;
    try {
      this.#invite(request);
    } catch (error) {
      this.#log.error({ err: error, callId: request.core.callId }, 'INVITE routing failed');
      request.reply(500);
    }
    return true;
  }

  /** Idempotent: stops taking calls and waits until every queued call event is recorded. */
  close(): Promise<void> {
    for (const sipCallId of [...this.#legTimers.keys()]) this.#cancelLegTimers(sipCallId);
    this.#closed ??= this.#recorder.close().then(() => this.#calls.clear());
    return this.#closed;
  }

  // --- a new call --------------------------------------------------------------

  #invite(request: InboundRequest): void {
    const { core, message } = request;
    const gateway = this.#routing.gatewayAt(request.source.transport, request.source.address, request.source.port);
    if (gateway !== null) {
      this.#inbound(request, gateway);
      return;
    }
    const caller = callerOf(core.from);
    if (!caller) {
      request.reply(403, 'Caller Is Not A Local User');
      return;
    }
    const auth = this.#auth.authenticate(message, caller, 'proxy');
    switch (auth.kind) {
      case 'authorized':
        break;
      case 'challenge':
        request.reply(auth.status, undefined, { headers: auth.headers });
        return;
      case 'forbidden':
        request.reply(403, 'Forbidden');
        return;
      case 'malformed':
        request.reply(400, auth.reason);
        return;
      default: {
        const never: never = auth;
        return never;
      }
    }
    if (!SipCallIdSchema.safeParse(core.callId).success) {
      request.reply(400, 'Call-ID Not Usable');
      return;
    }

    const at = this.#now();
    const call: ActiveCall = {
      sipCallId: core.callId,
      caller: caller.aor,
      callerTag: tagOf(core.from),
      metadata: this.#metadata(core.callId, caller.aor),
      callee: null,
      visited: [caller.aor],
      phase: 'setup',
      callerHop: STREAM_TRANSPORTS.has(request.source.transport) ? { kind: 'flow', flow: request.source } : undefined,
      calleeHop: undefined,
    };
    const dialled = dialledOf(message.uri);
    if (!dialled) {
      const asDialled = DialledStringSchema.safeParse(formatUri(message.uri));
      const status = message.uri.scheme === 'other' ? 416 : 404;
      if (asDialled.success) {
        this.#record(call, at, { type: 'InitiateCall', data: { sipCallId: call.sipCallId, caller: caller.aor, dialledString: asDialled.data } });
        this.#record(call, at, { type: 'EndCall', data: { cause: 'no_route', sipStatus: status } });
      }
      request.reply(status, status === 416 ? 'Unsupported URI Scheme' : 'Not Found');
      return;
    }

    const input = resolveRoutingInput(this.#routing, caller.aor, dialled.dialled);
    const normalized = dialled.kind === 'number' && input.kind === 'resolved' ? { normalizedNumber: input.normalization.number } : {};
    this.#record(call, at, {
      type: 'InitiateCall',
      data: { sipCallId: call.sipCallId, caller: caller.aor, dialledString: dialled.dialled, ...normalized },
    });
    if (input.kind === 'unknown_caller') {
      // Authenticated, so the directory knows the caller: the routing view has not caught up (or it was just deprovisioned).
      this.#refuse(request, call, at, { status: 403, reason: 'Caller Not Provisioned', cause: 'rejected' });
      return;
    }
    const evicted = this.#calls.add(call);
    if (evicted) this.#log.warn({ sipCallId: evicted.sipCallId }, 'call table full: the oldest call is no longer followed');
    this.#execute(request, call, at, planDialled(this.#planContext(at), input));
  }

  /**
   * A call from the PSTN: an INVITE whose source is a defined gateway's
   * address (transport, IP and port) is trusted without a challenge (gateways
   * do not answer one, and the address is the trust, as OCS trusts its
   * mediation servers). Its number is looked up to the user whose line URI it
   * is and the call is routed to them as any other (forwarding, simultaneous
   * ring, team call); `call.initiated.v1` names the gateway. 404 for a number
   * nobody holds, 485 for one two users hold.
   */
  #inbound(request: InboundRequest, gateway: Gateway): void {
    const { core, message } = request;
    if (!SipCallIdSchema.safeParse(core.callId).success) {
      request.reply(400, 'Call-ID Not Usable');
      return;
    }
    const at = this.#now();
    const caller = inboundCallerOf(core.from, gateway);
    const call: ActiveCall = {
      sipCallId: core.callId,
      caller,
      callerTag: tagOf(core.from),
      metadata: this.#metadata(core.callId, `gateway:${gateway.name}`),
      callee: null,
      visited: [caller],
      phase: 'setup',
      callerHop: STREAM_TRANSPORTS.has(request.source.transport) ? { kind: 'flow', flow: request.source } : undefined,
      calleeHop: undefined,
    };
    const number = inboundNumberOf(message.uri);
    const dialled = DialledStringSchema.safeParse(number ?? formatUri(message.uri));
    if (!dialled.success) {
      request.reply(404, 'Not Found');
      return;
    }
    this.#record(call, at, {
      type: 'InitiateCall',
      data: { sipCallId: call.sipCallId, caller, dialledString: dialled.data, ...(number === undefined ? {} : { normalizedNumber: number }), inboundGateway: gateway.name },
    });
    const callees = number === undefined ? [] : this.#routing.usersByNumber(number);
    const callee = callees[0];
    if (callee === undefined || callees.length > 1) {
      this.#refuse(request, call, at, callee === undefined ? { status: 404, reason: 'Not Found', cause: 'no_route' } : { status: 485, reason: 'Ambiguous', cause: 'no_route' });
      return;
    }
    const evicted = this.#calls.add(call);
    if (evicted) this.#log.warn({ sipCallId: evicted.sipCallId }, 'call table full: the oldest call is no longer followed');
    this.#execute(request, call, at, planUser(this.#planContext(at), callee, [caller]));
  }

  #planContext(at: Date): PlanContext {
    return { routing: this.#routing, location: this.#location, now: at.toISOString(), nextHopOf: this.#nextHopOf };
  }

  #execute(request: InboundRequest, call: ActiveCall, at: Date, plan: Plan): void {
    this.#recordForwards(call, at, plan);
    const outcome = plan.outcome;
    if (outcome.kind === 'refuse') {
      this.#refuse(request, call, at, outcome);
      return;
    }
    const leg = outcome.leg;
    this.#recordRoute(call, at, leg);
    const pstn = leg.kind === 'pstn';
    const operation = request.proxy({
      targets: leg.targets,
      forking: pstn ? 'sequential' : 'parallel',
      recordRoute: true,
      ...(pstn && this.#gatewayTimeoutMs > 0 ? { provisionalTimeoutMs: this.#gatewayTimeoutMs } : {}),
    });
    this.#follow(operation, call, leg);
    if (leg.kind === 'user') this.#ringExtras(operation, call, leg, at);
  }

  #refuse(request: InboundRequest, call: ActiveCall, at: Date, refusal: { status: number; reason: string; cause: ActiveCallEnd }): void {
    request.reply(refusal.status, refusal.reason);
    this.#record(call, at, { type: 'EndCall', data: { cause: refusal.cause, sipStatus: refusal.status } });
    this.#calls.delete(call.sipCallId);
  }

  #recordForwards(call: ActiveCall, at: Date, plan: Plan): void {
    for (const step of plan.forwards) {
      this.#record(call, at, { type: 'ForwardCall', data: step });
      call.visited.push(step.to);
    }
  }

  #recordRoute(call: ActiveCall, at: Date, leg: Leg): void {
    this.#record(call, at, { type: 'RouteCall', data: { route: leg.route } });
    call.callee = leg.kind === 'user' ? leg.route.target : `tel:${leg.route.number}`;
    if (!call.visited.includes(call.callee)) call.visited.push(call.callee);
  }

  /** Turns the proxy's progress into call events, and forwards on busy / no answer while the fork is still open. */
  #follow(operation: ProxyOperation, call: ActiveCall, first: Leg): void {
    let leg = first;
    let outcomes: BranchOutcome[] = [];
    let ringing = false;
    let started = 0;
    let completed = 0;
    let cancelled = false;
    operation
      .on('branch-started', () => started++)
      .on('provisional', (branch, response) => {
        if (ringing || (response.status !== 180 && response.status !== 183)) return;
        ringing = true;
        const contact = branch.target?.uri;
        this.#record(call, this.#now(), { type: 'MarkCallRinging', data: contact === undefined ? {} : { contact } });
      })
      .on('upstream-cancel', () => {
        cancelled = true;
        this.#cancelLegTimers(call.sipCallId);
      })
      .on('branch-completed', (_branch, outcome) => {
        completed++;
        outcomes.push(outcome);
        if (cancelled || completed < started || leg.kind !== 'user') return;
        const next = this.#forwardOnFailure(operation, call, leg, outcomes);
        if (next) {
          leg = next;
          outcomes = [];
          ringing = false;
        }
      })
      .on('completed', (result) => this.#completed(call, leg, result, cancelled));
  }

  /** The fork's last branch failed: busy or no-answer forwarding adds the forward target's branches to the same fork. */
  #forwardOnFailure(operation: ProxyOperation, call: ActiveCall, leg: Extract<Leg, { kind: 'user' }>, outcomes: readonly BranchOutcome[]): Leg | undefined {
    const reason = forwardReasonOf(leg, outcomes);
    if (reason === undefined) return undefined;
    const target = reason === 'busy' ? leg.busy : leg.noAnswer?.target;
    if (target === undefined || target === null) return undefined;
    const at = this.#now();
    const plan = planForward(this.#planContext(at), reason, leg.callee, target, call.visited);
    if (plan.outcome.kind === 'refuse') {
      this.#log.info({ sipCallId: call.sipCallId, reason, target, refusal: plan.outcome.reason }, 'forward target cannot be reached; the fork ends as it is');
      return undefined;
    }
    let next = plan.outcome.leg;
    // The fork is parallel: a forward to a number takes the route's first gateway only, so the number is dialled once.
    if (next.kind === 'pstn') next = { ...next, route: { ...next.route, gateways: [next.route.gateway] }, targets: next.targets.slice(0, 1) };
    if (!operation.addTargets(next.targets)) return undefined;
    // The callee's delayed team no longer rings: the call has moved on.
    this.#cancelLegTimers(call.sipCallId);
    this.#recordForwards(call, at, plan);
    this.#recordRoute(call, at, next);
    if (next.kind === 'user') this.#ringExtras(operation, call, next, at);
    return next;
  }

  /**
   * Team-call members and delegates: those ringing from the start are already
   * in the fork and only recorded; a delayed team is added to the running fork
   * when its time comes (an engine that cannot grow a fork, drachtio, skips it).
   */
  #ringExtras(operation: ProxyOperation, call: ActiveCall, leg: Extract<Leg, { kind: 'user' }>, at: Date): void {
    for (const extra of leg.extras) {
      if (extra.delayMs === 0) {
        this.#recordLeg(call, at, leg, extra);
        continue;
      }
      let timers = this.#legTimers.get(call.sipCallId);
      if (!timers) this.#legTimers.set(call.sipCallId, (timers = new Set()));
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (timers.size === 0 && this.#legTimers.get(call.sipCallId) === timers) this.#legTimers.delete(call.sipCallId);
        if (!operation.addTargets(extra.targets)) {
          this.#log.info({ sipCallId: call.sipCallId, member: extra.member }, 'the fork is closed or cannot grow: the delayed team member does not ring');
          return;
        }
        this.#recordLeg(call, this.#now(), leg, extra);
      }, extra.delayMs);
      timer.unref();
      timers.add(timer);
    }
  }

  #recordLeg(call: ActiveCall, at: Date, leg: Extract<Leg, { kind: 'user' }>, extra: ExtraLeg): void {
    this.#record(call, at, {
      type: 'AddCallLeg',
      data: { reason: extra.reason, onBehalfOf: leg.callee.sipUri, member: extra.member, contacts: extra.targets.map((t) => t.uri) },
    });
  }

  #cancelLegTimers(sipCallId: string): void {
    const timers = this.#legTimers.get(sipCallId);
    if (!timers) return;
    for (const timer of timers) clearTimeout(timer);
    this.#legTimers.delete(sipCallId);
  }

  #completed(call: ActiveCall, leg: Leg, result: ProxyResult, cancelled: boolean): void {
    this.#cancelLegTimers(call.sipCallId);
    const at = this.#now();
    switch (result.kind) {
      case 'answered': {
        call.phase = 'answered';
        const hop = result.branch.target?.nextHop;
        if (hop?.kind === 'flow' && STREAM_TRANSPORTS.has(hop.flow.transport)) call.calleeHop = hop;
        this.#record(call, at, { type: 'AnswerCall', data: { contact: answeredContact(result.branch.target, result.response, leg) } });
        return;
      }
      case 'failed': {
        const cause = cancelled ? 'cancelled' : endCauseOf(result.status);
        this.#record(call, at, { type: 'EndCall', data: { cause, sipStatus: result.status } });
        break;
      }
      case 'rejected':
        this.#record(call, at, { type: 'EndCall', data: { cause: 'failed', sipStatus: result.status } });
        break;
      case 'error':
        this.#log.error({ sipCallId: call.sipCallId, message: result.message }, 'proxying the INVITE failed');
        this.#record(call, at, { type: 'EndCall', data: { cause: 'failed' } });
        break;
      case 'forwarded-stateless':
        return;
      default: {
        const never: never = result;
        return never;
      }
    }
    this.#calls.delete(call.sipCallId);
  }

  // --- within the call ---------------------------------------------------------

  #inDialog(request: InboundRequest, call: ActiveCall): void {
    const { message } = request;
    // Toward a party on a connection (a WebSocket phone's Contact is `*.invalid`): over that connection.
    const hop = tagOf(request.core.from) === call.callerTag ? call.calleeHop : call.callerHop;
    const operation = request.proxy(hop ? { targets: [{ uri: formatUri(message.uri), nextHop: hop }] } : {});
    if (message.method === 'BYE') {
      // The BYE ends the call whatever the far end answers to it (RFC 3261 §15.1.2).
      this.#record(call, this.#now(), { type: 'EndCall', data: { cause: 'completed', sipStatus: 200 } });
      this.#calls.delete(call.sipCallId);
      return;
    }
    if (message.method !== 'INVITE' || call.phase === 'setup') return;
    const media = mediaStateOf(message);
    if (media === undefined) return;
    const by = tagOf(request.core.from) === call.callerTag ? call.caller : call.callee;
    if (by === null) return;
    // Held only once the other side accepted the offer (2xx): a refused re-INVITE changes nothing.
    void operation.result.then((result) => {
      if (result.kind !== 'answered') return;
      const at = this.#now();
      if (media === 'held' && call.phase === 'answered') {
        call.phase = 'held';
        this.#record(call, at, { type: 'HoldCall', data: { by } });
      } else if (media === 'active' && call.phase === 'held') {
        call.phase = 'answered';
        this.#record(call, at, { type: 'ResumeCall', data: { by } });
      }
    });
  }

  // --- recording ---------------------------------------------------------------

  #record(call: ActiveCall, at: Date, command: CallCommand): void {
    this.#recorder.record({ sipCallId: call.sipCallId, command, at, metadata: call.metadata });
  }

  #metadata(callId: string, caller: string): CommandMetadata {
    return { correlationId: `sip:${callId}`.slice(0, 200), causationId: null, actor: caller, node: this.#nodeId };
  }
}

type ActiveCallEnd = Extract<CallCommand, { type: 'EndCall' }>['data']['cause'];

/** The contact that answered: the branch's target, else the 2xx's Contact, else the leg's first target. */
function answeredContact(target: ProxyTarget | undefined, response: SipResponse, leg: Leg): string {
  if (target) return target.uri;
  const contact = parseNameAddr(response.headers.get('Contact') ?? '');
  const uri = contact.ok ? formatUri(contact.value.uri) : undefined;
  if (uri !== undefined && ContactUriSchema.safeParse(uri).success) return uri;
  // Unreachable: a leg has at least one target.
  return leg.targets[0]?.uri ?? 'sip:unknown.invalid';
}

