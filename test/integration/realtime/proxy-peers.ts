import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { newBranch, newCallId, newTag } from '../../../src/realtime/sip/ids.ts';
import { EMPTY_BODY, Headers, SIP_VERSION, type HeaderInit, type SipMessage, type SipRequest, type SipResponse } from '../../../src/realtime/sip/message.ts';
import { parseNameAddr, parseNameAddrList } from '../../../src/realtime/sip/name-addr.ts';
import { parseMessage } from '../../../src/realtime/sip/parser.ts';
import { buildResponse } from '../../../src/realtime/sip/response-builder.ts';
import { serializeMessage } from '../../../src/realtime/sip/serializer.ts';
import { StreamFramer } from '../../../src/realtime/sip/transport/stream-framer.ts';
import { formatUri, parseUri, type Uri } from '../../../src/realtime/sip/uri.ts';

/**
 * Scripted SIP peers on raw sockets for the proxy tests: each records every
 * message it receives, so a test can assert exactly what reached each side.
 */

/** A safety net for waits, not a timing assertion: the proxy answers in milliseconds. */
export const WAIT_MS = 5000;

export function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) assert.fail(`bad test URI ${text}: ${r.error}`);
  return r.value;
}

/** Everything a peer received, in order; `waitFor` hands out each message once. */
export class Inbox {
  readonly all: SipMessage[] = [];
  readonly #taken = new Set<SipMessage>();
  readonly #waiters: Array<{ match: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }> = [];

  push(message: SipMessage): void {
    this.all.push(message);
    const i = this.#waiters.findIndex((w) => w.match(message));
    const waiter = this.#waiters[i];
    if (waiter) {
      this.#waiters.splice(i, 1);
      this.#taken.add(message);
      waiter.resolve(message);
    }
  }

  waitFor(match: (m: SipMessage) => boolean, what: string): Promise<SipMessage> {
    const found = this.all.find((m) => !this.#taken.has(m) && match(m));
    if (found) {
      this.#taken.add(found);
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const entry = { match, resolve: (m: SipMessage) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(entry), 1);
        reject(new Error(`no ${what} within ${WAIT_MS} ms; received: ${this.all.map(describe).join(' | ') || 'nothing'}`));
      }, WAIT_MS);
      this.#waiters.push(entry);
    });
  }

  async request(method: string, extra: (r: SipRequest) => boolean = () => true): Promise<SipRequest> {
    const m = await this.waitFor((x) => x.kind === 'request' && x.method === method && extra(x), `${method} request`);
    assert.equal(m.kind, 'request');
    return m;
  }

  async response(status: number, method?: string): Promise<SipResponse> {
    const m = await this.waitFor(
      (x) => x.kind === 'response' && x.status === status && (method === undefined || cseqMethod(x) === method),
      `${status} response${method ? ` to ${method}` : ''}`,
    );
    assert.equal(m.kind, 'response');
    return m;
  }

  requests(method: string): SipRequest[] {
    return this.all.filter((m): m is SipRequest => m.kind === 'request' && m.method === method);
  }

  responses(): SipResponse[] {
    return this.all.filter((m): m is SipResponse => m.kind === 'response');
  }
}

export function describe(m: SipMessage): string {
  return m.kind === 'request' ? `${m.method} ${formatUri(m.uri)}` : `${m.status} ${cseqMethod(m)}`;
}

export function cseqMethod(m: SipMessage): string {
  return (m.headers.get('CSeq') ?? '').trim().split(/\s+/)[1] ?? '';
}

function parse(data: Buffer, mode: 'datagram' | 'stream'): SipMessage {
  const r = parseMessage(data, { mode, maxMessageSize: 1 << 20 });
  if (!r.ok) assert.fail(`peer received something unparseable: ${r.error.reason}`);
  return r.value;
}

export interface Peer {
  readonly inbox: Inbox;
  readonly transport: 'UDP' | 'TCP';
  readonly port: number;
  send(message: SipMessage): void;
  close(): Promise<void>;
}

/** A UDP peer bound to 127.0.0.1 that sends to the proxy's UDP port. */
export class UdpPeer implements Peer {
  readonly inbox = new Inbox();
  readonly transport = 'UDP';
  readonly #socket = dgram.createSocket('udp4');
  port = 0;

  constructor(
    readonly proxyPort: number,
    readonly proxyHost = '127.0.0.1',
  ) {}

  async open(): Promise<this> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    this.port = this.#socket.address().port;
    this.#socket.on('message', (data) => this.inbox.push(parse(data, 'datagram')));
    return this;
  }

  send(message: SipMessage): void {
    this.#socket.send(serializeMessage(message), this.proxyPort, this.proxyHost);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

/** A TCP peer: one connection to the proxy's TCP port, which also carries what the proxy sends back. */
export class TcpPeer implements Peer {
  readonly inbox = new Inbox();
  readonly transport = 'TCP';
  readonly #framer = new StreamFramer(1 << 20);
  #socket: net.Socket | undefined;
  port = 0;

  constructor(readonly proxyPort: number) {}

  async open(): Promise<this> {
    const socket = net.connect(this.proxyPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('data', (chunk: Buffer) => {
      for (const unit of this.#framer.push(chunk)) if (unit.kind === 'message') this.inbox.push(parse(unit.data, 'stream'));
    });
    this.#socket = socket;
    this.port = socket.localPort ?? 0;
    return this;
  }

  send(message: SipMessage): void {
    this.#socket?.write(serializeMessage(message));
  }

  close(): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}

export type RequestSpec = {
  readonly method: string;
  readonly uri: string;
  readonly from?: string;
  readonly to?: string;
  readonly callId?: string;
  readonly cseq?: number;
  readonly branch?: string;
  readonly maxForwards?: number;
  readonly headers?: readonly HeaderInit[];
  readonly body?: string;
};

/** A request as `peer` would send it: its own Via, a Contact pointing back at it. */
export function request(peer: Peer, spec: RequestSpec): SipRequest {
  const entries: HeaderInit[] = [
    ['Via', `SIP/2.0/${peer.transport} 127.0.0.1:${peer.port};branch=${spec.branch ?? newBranch()};rport`],
    ['Max-Forwards', String(spec.maxForwards ?? 70)],
    ['From', spec.from ?? `<sip:alice@example.com>;tag=${newTag()}`],
    ['To', spec.to ?? `<${spec.uri}>`],
    ['Call-ID', spec.callId ?? newCallId('127.0.0.1')],
    ['CSeq', `${spec.cseq ?? 1} ${spec.method}`],
    ['Contact', `<sip:peer@127.0.0.1:${peer.port}${peer.transport === 'TCP' ? ';transport=tcp' : ''}>`],
    ...(spec.headers ?? []),
  ];
  return {
    kind: 'request',
    version: SIP_VERSION,
    method: spec.method,
    uri: uri(spec.uri),
    headers: Headers.of(entries),
    body: spec.body === undefined ? EMPTY_BODY : Buffer.from(spec.body),
  };
}

/** A UAS's response to a request it received (Vias, From, To + tag, Call-ID, CSeq, Record-Route copied). */
export function respond(peer: Peer, req: SipRequest, status: number, toTag: string, headers: readonly HeaderInit[] = []): SipResponse {
  const contact: HeaderInit[] = status < 300 && req.method === 'INVITE' ? [['Contact', `<sip:uas@127.0.0.1:${peer.port}>`]] : [];
  return buildResponse(req.headers, status, undefined, { toTag, headers: [...contact, ...headers] });
}

/** The UAS side of a CANCEL: 200 for the CANCEL, 487 for the INVITE. */
export function answerCancel(peer: Peer, invite: SipRequest, cancel: SipRequest, toTag: string): void {
  peer.send(buildResponse(cancel.headers, 200, undefined, { toTag }));
  peer.send(respond(peer, invite, 487, toTag));
}

/** The CANCEL a UAC sends for its INVITE (same branch, RFC 3261 §9.1). */
export function cancelOf(invite: SipRequest): SipRequest {
  const h = invite.headers;
  const entries: HeaderInit[] = [
    ['Via', h.get('Via') ?? ''],
    ['Max-Forwards', '70'],
    ['From', h.get('From') ?? ''],
    ['To', h.get('To') ?? ''],
    ['Call-ID', h.get('Call-ID') ?? ''],
    ['CSeq', `${(h.get('CSeq') ?? '1').split(' ')[0]} CANCEL`],
  ];
  return { kind: 'request', version: SIP_VERSION, method: 'CANCEL', uri: invite.uri, headers: Headers.of(entries), body: EMPTY_BODY };
}

/**
 * An in-dialog request from the UAC after a 2xx (RFC 3261 §12.2.1.1): Request-URI
 * the remote Contact, Route the Record-Route set reversed, To with the remote tag.
 */
export function inDialogFromCaller(peer: Peer, invite: SipRequest, ok: SipResponse, method: string, cseq: number): SipRequest {
  const contact = parseNameAddr(ok.headers.get('Contact') ?? '');
  if (!contact.ok) assert.fail('2xx without a usable Contact');
  const rr = parseNameAddrList(ok.headers.getAll('Record-Route'));
  if (!rr.ok) assert.fail('malformed Record-Route');
  const routes = [...rr.value].reverse();
  const branch = newBranch();
  const entries: HeaderInit[] = [
    ['Via', `SIP/2.0/${peer.transport} 127.0.0.1:${peer.port};branch=${branch};rport`],
    ...routes.map((r): HeaderInit => ['Route', `<${formatUri(r.uri)}>`]),
    ['Max-Forwards', '70'],
    ['From', invite.headers.get('From') ?? ''],
    ['To', ok.headers.get('To') ?? ''],
    ['Call-ID', invite.headers.get('Call-ID') ?? ''],
    ['CSeq', `${method === 'ACK' ? (invite.headers.get('CSeq') ?? '1').split(' ')[0] : cseq} ${method}`],
  ];
  return { kind: 'request', version: SIP_VERSION, method, uri: contact.value.uri, headers: Headers.of(entries), body: EMPTY_BODY };
}

/** Values of every Via of a message, top first. */
export function vias(m: SipMessage): string[] {
  return m.headers.getAll('Via').flatMap((v) => v.split(',').map((x) => x.trim()));
}

export function branchOf(via: string | undefined): string | undefined {
  return via ? /;branch=([^;,\s]+)/i.exec(via)?.[1] : undefined;
}

export function toTagOf(m: SipMessage): string | undefined {
  const to = parseNameAddr(m.headers.get('To') ?? '');
  return to.ok ? (to.value.params.find(([n]) => n === 'tag')?.[1] ?? undefined) : undefined;
}

/** Lets in-flight datagrams land before asserting that something did NOT arrive. */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The UAC's ACK for a 3xx–6xx final (RFC 3261 §17.1.1.3): same branch as the INVITE, To from the response. */
export function ackOf(invite: SipRequest, response: SipResponse): SipRequest {
  const h = invite.headers;
  const entries: HeaderInit[] = [
    ['Via', h.get('Via') ?? ''],
    ['Max-Forwards', '70'],
    ['From', h.get('From') ?? ''],
    ['To', response.headers.get('To') ?? ''],
    ['Call-ID', h.get('Call-ID') ?? ''],
    ['CSeq', `${(h.get('CSeq') ?? '1').split(' ')[0]} ACK`],
  ];
  return { kind: 'request', version: SIP_VERSION, method: 'ACK', uri: invite.uri, headers: Headers.of(entries), body: EMPTY_BODY };
}

/** Distinct final statuses a peer received (a UDP final may be retransmitted before the ACK lands). */
export function finalStatuses(peer: Peer, method: string): number[] {
  return [...new Set(peer.inbox.responses().filter((r) => r.status >= 200 && cseqMethod(r) === method).map((r) => r.status))];
}
