import type { Logger } from 'pino';
import type { BranchOutcome, BranchRef, ForkingMode, ProxyEvents, ProxyOperation, ProxyResult, ProxyTarget } from '../../engine/proxy-operation.ts';
import { TypedEmitter } from '../../../util/typed-emitter.ts';
import { header, Headers, type HeaderInit, type SipRequest, type SipResponse } from '../message.ts';
import type { RequestCore } from '../sanity.ts';
import type { ClientRequest, Destination, IncomingRequest, SipEngine } from '../sip-engine.ts';
import type { Clock, TimerHandle } from '../transaction/clock.ts';
import type { TransportProtocol } from '../transport/transport.ts';
import { parseUri, type Uri } from '../uri.ts';
import { formatVia, responseTarget } from '../via.ts';
import { aggregateChallenges, chooseBest, withoutTopVia, type BranchFinal } from './best-response.ts';
import { proxyBranch } from './loop-detection.ts';
import { destinationForHop, destinationForUri, protocolOfDestination } from './next-hop.ts';
import { recordRouteUri, type ProxyIdentity } from './proxy-identity.ts';
import { applyStrictRoute, routesOf } from './route-processing.ts';

export type ResolvedTarget = { readonly target: ProxyTarget; readonly uri: Uri };

export type ProxyContextOptions = {
  readonly engine: SipEngine;
  readonly incoming: IncomingRequest;
  /** The request after Route preprocessing (RFC 3261 §16.4). */
  readonly request: SipRequest;
  readonly core: RequestCore;
  readonly identity: ProxyIdentity;
  /** Loop-detection hash of the received request, the first part of every branch id. */
  readonly loopHash: string;
  readonly targets: readonly ResolvedTarget[];
  readonly forking: ForkingMode;
  readonly recordRoute: boolean;
  readonly branchTimeoutMs: number | undefined;
  readonly provisionalTimeoutMs: number | undefined;
  readonly headers: readonly HeaderInit[];
  readonly clock: Clock;
  readonly log: Logger;
};

type Branch = {
  readonly ref: BranchRef;
  client: ClientRequest | undefined;
  /** Any response (even 100) arrived: a CANCEL can be sent and will be answered. */
  responded: boolean;
  /** Reported complete; later non-2xx responses from it are ignored. */
  done: boolean;
  final: BranchFinal | undefined;
  readonly timers: TimerHandle[];
};

/**
 * One proxied request: the response context of RFC 3261 §16.7 with its client
 * transactions (branches). It forwards provisionals, forwards the first 2xx
 * and cancels the other branches, stops on 6xx, moves to the next target in
 * sequential mode, answers an upstream CANCEL by cancelling every branch, and
 * otherwise sends the best final response once every branch has one.
 */
export class ProxyContext extends TypedEmitter<ProxyEvents> implements ProxyOperation {
  readonly result: Promise<ProxyResult>;
  readonly #o: ProxyContextOptions;
  readonly #branches: Branch[] = [];
  readonly #isInvite: boolean;
  /** The target set (§16.5); `addTargets` grows it while the context is open. */
  readonly #targets: ResolvedTarget[];
  #settle: (result: ProxyResult) => void = () => {};
  #next = 0;
  #finalSent = false;
  #cancelled = false;
  #sixxx = false;
  #completed = false;

  constructor(options: ProxyContextOptions) {
    super({ onListenerError: (error, event) => options.log.error({ err: error, event }, 'proxy event listener threw') });
    this.#o = options;
    this.#isInvite = options.request.method === 'INVITE';
    this.#targets = [...options.targets];
    this.result = new Promise((resolve) => (this.#settle = resolve));
  }

  /** Starts forwarding on the next microtask, so listeners attached after `proxy()` returned see everything. */
  start(): void {
    queueMicrotask(() => this.#begin());
  }

  #begin(): void {
    if (this.#isInvite) this.#o.incoming.onCancel(() => this.#upstreamCancel());
    if (this.#cancelled) return;
    if (this.#o.forking === 'parallel') {
      while (this.#next < this.#targets.length && !this.#finalSent) this.#startBranch(this.#next++);
    } else {
      this.#startBranch(this.#next++);
    }
    this.#advance();
  }

  // --- branches --------------------------------------------------------------

  #startBranch(index: number): void {
    const resolved = this.#targets[index];
    if (!resolved) return;
    const branch: Branch = { ref: { index, target: resolved.target }, client: undefined, responded: false, done: false, final: undefined, timers: [] };
    this.#branches.push(branch);
    this.emit('branch-started', branch.ref);
    const built = this.#forwardedRequest(resolved);
    if (!built) {
      this.#complete(branch, { kind: 'transport-error', message: `no route to ${resolved.target.uri}` }, { status: 503, response: undefined });
      return;
    }
    const client = this.#o.engine.sendRequest(built.request, { destination: built.destination, branch: proxyBranch(this.#o.loopHash) });
    branch.client = client;
    client.onResponse((response) => this.#onResponse(branch, response));
    void client.outcome.then((outcome) => {
      if (outcome.kind === 'timeout') this.#complete(branch, { kind: 'timeout' }, { status: 408, response: undefined });
      else if (outcome.kind === 'transport-error') {
        this.#complete(branch, { kind: 'transport-error', message: outcome.error.message }, { status: 503, response: undefined });
      }
      this.#advance();
    });
    const { provisionalTimeoutMs } = this.#o;
    const branchTimeoutMs = resolved.target.branchTimeoutMs ?? this.#o.branchTimeoutMs;
    if (provisionalTimeoutMs !== undefined) {
      branch.timers.push(this.#o.clock.setTimer(provisionalTimeoutMs, () => !branch.responded && this.#giveUp(branch)));
    }
    if (branchTimeoutMs !== undefined) branch.timers.push(this.#o.clock.setTimer(branchTimeoutMs, () => this.#giveUp(branch)));
  }

  /** RFC 3261 §16.6: the copy of the request for one target, and where to send it. */
  #forwardedRequest(resolved: ResolvedTarget): { request: Omit<SipRequest, 'kind' | 'version'>; destination: Destination } | undefined {
    const { request, core, identity } = this.#o;
    const routes = routesOf(request);
    const topRoute = routes.ok ? routes.value[0] : undefined;
    // Step 7: an explicit hop, else the first Route (loose or strict), else the Request-URI.
    const destination = resolved.target.nextHop
      ? destinationForHop(resolved.target.nextHop)
      : destinationForUri(topRoute ? topRoute.uri : resolved.uri);
    if (!destination) return undefined;

    // Steps 1-3: the received Vias (top one stamped with received/rport) stay, Max-Forwards goes down.
    const vias = core.vias.map((v) => header('Via', formatVia(v)));
    let headers = new Headers([...vias, ...request.headers.entries().filter((h) => h.key !== 'via')]);
    headers = headers.set('Max-Forwards', String(Math.max(0, core.maxForwards - 1)));
    // Step 4: Record-Route, twice when the request changes transport (RFC 5658).
    const inDialog = core.to.params.some(([n]) => n.toLowerCase() === 'tag');
    if (this.#o.recordRoute && !inDialog && request.method !== 'REGISTER') {
      const inbound = this.#inboundProtocol();
      const outbound = protocolOfDestination(destination) ?? inbound;
      const values = outbound === inbound ? [recordRouteUri(identity, inbound)] : [recordRouteUri(identity, outbound), recordRouteUri(identity, inbound)];
      for (const value of values.reverse()) if (value !== undefined) headers = headers.prepend('Record-Route', value);
    }
    for (const [name, value] of this.#o.headers) headers = headers.append(name, value);
    // Step 6: a strict router next expects itself in the Request-URI.
    const forwarded = applyStrictRoute({ ...request, uri: resolved.uri, headers });
    return { request: { method: forwarded.method, uri: forwarded.uri, headers: forwarded.headers, body: forwarded.body }, destination };
  }

  #inboundProtocol(): TransportProtocol {
    return this.#o.incoming.source.protocol;
  }

  #onResponse(branch: Branch, response: SipResponse): void {
    const status = response.status;
    if (status < 200) {
      branch.responded = true;
      if (status === 100 || branch.done) return; // 100 is hop-by-hop (§16.7 step 5)
      this.emit('provisional', branch.ref, response);
      if (!this.#finalSent) this.#o.incoming.forwardResponse(withoutTopVia(response));
      return;
    }
    if (status < 300) {
      this.#on2xx(branch, response);
      return;
    }
    if (branch.done) return;
    this.#complete(branch, { kind: 'response', response }, { status, response });
    if (status >= 600 && this.#isInvite) {
      // §16.7 step 5: a 6xx ends the search: no new branches, the pending ones are cancelled.
      this.#sixxx = true;
      this.#cancelPending();
    }
    this.#advance();
  }

  #on2xx(branch: Branch, response: SipResponse): void {
    if (!branch.done) this.#complete(branch, { kind: 'response', response }, { status: response.status, response });
    const upstream = withoutTopVia(response);
    if (this.#finalSent) {
      // Another fork answered too, or the UAS retransmitted its 2xx: every 2xx to an INVITE goes upstream (§16.7 step 10, RFC 6026).
      if (this.#isInvite) this.#sendStatelessUpstream(upstream);
      return;
    }
    this.#finalSent = true;
    this.#o.incoming.forwardResponse(upstream);
    if (this.#isInvite) this.#cancelPending();
    this.#settleWith({ kind: 'answered', branch: branch.ref, response: upstream });
    this.#advance();
  }

  /** A branch that must not hold the call up any longer (branch or provisional timeout): cancelled and counted as timed out. */
  #giveUp(branch: Branch): void {
    if (branch.done) return;
    branch.client?.cancel();
    this.#complete(branch, { kind: 'timeout' }, { status: 408, response: undefined });
    this.#advance();
  }

  #complete(branch: Branch, outcome: BranchOutcome, final: BranchFinal): void {
    if (branch.done) return;
    branch.done = true;
    branch.final = final;
    for (const t of branch.timers.splice(0)) t.cancel();
    this.emit('branch-completed', branch.ref, outcome);
  }

  #cancelPending(): void {
    for (const branch of this.#branches) {
      if (branch.done) continue;
      branch.client?.cancel();
      // With no response yet the CANCEL has to wait for one (§9.1) and may never go: do not hold the caller for it.
      if (!branch.responded) this.#complete(branch, { kind: 'cancelled' }, { status: 487, response: undefined });
    }
  }

  #upstreamCancel(): void {
    if (this.#cancelled || this.#finalSent) return;
    this.#cancelled = true;
    this.emit('upstream-cancel');
    this.#cancelPending();
    this.#advance();
  }

  addTargets(targets: readonly ProxyTarget[]): boolean {
    if (this.#finalSent || this.#cancelled || this.#sixxx) return false;
    const resolved: ResolvedTarget[] = [];
    for (const target of targets) {
      const uri = parseUri(target.uri);
      if (!uri.ok) return false;
      resolved.push({ target, uri: uri.value });
    }
    this.#targets.push(...resolved);
    // Called outside a branch's completion, nothing else would start them before the next response.
    queueMicrotask(() => this.#advance());
    return true;
  }

  // --- the final answer ------------------------------------------------------

  #advance(): void {
    if (this.#finalSent) {
      if (this.#branches.every((b) => b.done)) this.#finishTimers();
      return;
    }
    const searching = !this.#cancelled && !this.#sixxx;
    const pending = this.#branches.some((b) => !b.done);
    if (searching && this.#o.forking === 'parallel' && this.#next < this.#targets.length) {
      // Targets added while the branches were running (addTargets) start together.
      while (this.#next < this.#targets.length) this.#startBranch(this.#next++);
      this.#advance();
      return;
    }
    if (searching && !pending && this.#o.forking === 'sequential' && this.#next < this.#targets.length) {
      this.#startBranch(this.#next++);
      this.#advance();
      return;
    }
    if (pending) return;
    this.#sendBest();
  }

  #sendBest(): void {
    this.#finalSent = true;
    const finals = this.#branches.map((b) => b.final).filter((f): f is BranchFinal => f !== undefined);
    const real = finals.filter((f) => f.response !== undefined);
    // After a CANCEL the branches' own answers (487s) are used when they came; otherwise the proxy answers 487.
    const best = chooseBest(this.#cancelled && real.length > 0 ? real : finals) ?? { status: this.#cancelled ? 487 : 408, response: undefined };
    if (best.status === 503 || !best.response) {
      // §16.7 step 6: a 503 means "this proxy cannot serve anything"; a branch's 503 is not that, so 500 goes up.
      const status = best.status === 503 ? 500 : best.status;
      this.#o.incoming.reply(status);
      this.#settleWith({ kind: 'failed', status, response: undefined });
      return;
    }
    const upstream = withoutTopVia(aggregateChallenges(best.response, finals));
    this.#o.incoming.forwardResponse(upstream);
    this.#settleWith({ kind: 'failed', status: upstream.status, response: upstream });
  }

  #sendStatelessUpstream(response: SipResponse): void {
    const { source } = this.#o.incoming;
    const top = this.#o.core.vias[0];
    const destination: Destination =
      source.protocol === 'udp' && top ? { protocol: 'udp', ...responseTarget(top) } : { flowId: source.flowId };
    this.#o.engine.sendStateless(response, destination).catch((error: unknown) => {
      this.#o.log.debug({ err: error, callId: this.#o.core.callId }, 'forwarded 2xx could not be sent upstream');
    });
  }

  #settleWith(result: ProxyResult): void {
    if (this.#completed) return;
    this.#completed = true;
    this.#o.log.debug({ callId: this.#o.core.callId, method: this.#o.request.method, result: result.kind }, 'proxy transaction completed');
    this.#settle(result);
    this.emit('completed', result);
  }

  #finishTimers(): void {
    for (const b of this.#branches) for (const t of b.timers.splice(0)) t.cancel();
  }
}
