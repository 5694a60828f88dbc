import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { WebSocket, type RawData } from 'ws';
import type { SipMessage, SipRequest, SipResponse } from '../../src/realtime/sip/message.ts';
import { parseMessage } from '../../src/realtime/sip/parser.ts';
import { StreamFramer } from '../../src/realtime/sip/transport/stream-framer.ts';
import { answerChallenge, readChallenge } from './sip-digest-client.ts';

/**
 * A SIP client that writes raw text over UDP, TCP, TLS, WS or WSS, written without the server's
 * transports so tests see the server from outside: what it answers, over which connection, and
 * when it closes one. Messages it receives are parsed with the project's parser (a test fails on
 * anything unparseable).
 */
export type RawProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export type Received = { readonly kind: 'message'; readonly message: SipMessage } | { readonly kind: 'closed' };

/** A hang guard, not a timing assertion: a correct server answers in milliseconds. */
const WAIT_MS = 5_000;

export class RawInbox {
  readonly #items: Received[] = [];
  readonly #waiters: Array<(r: Received) => void> = [];

  push(item: Received): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  /** The next item, or undefined after `timeoutMs` (for "nothing came"). */
  poll(timeoutMs: number): Promise<Received | undefined> {
    const item = this.#items.shift();
    if (item) return Promise.resolve(item);
    return new Promise((resolve) => {
      const waiter = (r: Received): void => {
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve(undefined);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  async next(what = 'a SIP message'): Promise<Received> {
    const r = await this.poll(WAIT_MS);
    return r ?? assert.fail(`no ${what} within ${WAIT_MS} ms`);
  }

  async message(what?: string): Promise<SipMessage> {
    const r = await this.next(what);
    return r.kind === 'message' ? r.message : assert.fail(`connection closed while waiting for ${what ?? 'a SIP message'}`);
  }

  /** The next request, skipping responses (e.g. retransmitted provisionals). */
  async request(method: string): Promise<SipRequest> {
    for (;;) {
      const m = await this.message(`a ${method}`);
      if (m.kind === 'request' && m.method === method) return m;
    }
  }

  /** Like `response`, but undefined when none came within `timeoutMs`. */
  async responseWithin(callId: string, method: string, timeoutMs: number): Promise<SipResponse | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      const r = await this.poll(left);
      if (r === undefined) return undefined;
      if (r.kind === 'closed') assert.fail(`connection closed while waiting for a response for ${callId}`);
      const m = r.message;
      if (m.kind === 'response' && m.status >= 200 && m.headers.get('Call-ID') === callId && (m.headers.get('CSeq') ?? '').trim().split(/\s+/)[1] === method) return m;
    }
  }

  /** The next response matching `callId` (and `method` in its CSeq when given; a final one unless `provisional`). */
  async response(callId: string, options: { provisional?: boolean; method?: string } = {}): Promise<SipResponse> {
    for (;;) {
      const m = await this.message(`a response for ${callId}`);
      if (m.kind !== 'response' || m.headers.get('Call-ID') !== callId) continue;
      if (options.method !== undefined && (m.headers.get('CSeq') ?? '').trim().split(/\s+/)[1] !== options.method) continue;
      if (options.provisional === true || m.status >= 200) return m;
    }
  }
}

function parse(data: Buffer): SipMessage {
  const r = parseMessage(data, { mode: 'datagram', maxMessageSize: 1 << 20 });
  return r.ok ? r.value : assert.fail(`the server sent something unparseable: ${r.error.reason}`);
}

export type RawOpenOptions = {
  /** Local address to bind (e.g. 127.0.0.2 to be another source). Default 127.0.0.1. */
  readonly localAddress?: string;
  /** Frames bigger than this are refused by the local parser. Default 1 MiB. */
  readonly maxMessageSize?: number;
};

export class RawSipClient {
  readonly inbox = new RawInbox();
  readonly protocol: RawProtocol;
  /** Host and port for our Via sent-by / Contact (`*.invalid` for WebSocket, RFC 7118 §5.2). */
  viaHost = '';
  viaPort = 0;
  #send: (data: Buffer) => void = () => {};
  #close: () => void = () => {};

  private constructor(protocol: RawProtocol) {
    this.protocol = protocol;
  }

  static async open(protocol: RawProtocol, serverPort: number, options: RawOpenOptions = {}): Promise<RawSipClient> {
    const c = new RawSipClient(protocol);
    const localAddress = options.localAddress ?? '127.0.0.1';
    const onData = (data: Buffer): void => c.inbox.push({ kind: 'message', message: parse(data) });
    const onClose = (): void => c.inbox.push({ kind: 'closed' });
    switch (protocol) {
      case 'udp': {
        const socket = dgram.createSocket('udp4');
        await new Promise<void>((resolve) => socket.bind(0, localAddress, resolve));
        socket.on('message', onData);
        c.viaHost = localAddress;
        c.viaPort = socket.address().port;
        c.#send = (data) => socket.send(data, serverPort, '127.0.0.1');
        c.#close = () => socket.close();
        break;
      }
      case 'tcp':
      case 'tls': {
        const raw = net.connect({ host: '127.0.0.1', port: serverPort, localAddress });
        // The test certificate is self-signed: the client does not verify it.
        const socket = protocol === 'tcp' ? raw : tls.connect({ socket: raw, rejectUnauthorized: false });
        await new Promise<void>((resolve, reject) => {
          socket.once(protocol === 'tcp' ? 'connect' : 'secureConnect', () => resolve());
          socket.once('error', reject);
        });
        const framer = new StreamFramer(options.maxMessageSize ?? 1 << 20);
        socket.on('data', (chunk: Buffer) => {
          for (const unit of framer.push(chunk)) if (unit.kind === 'message') onData(unit.data);
        });
        socket.on('error', () => undefined);
        socket.on('close', onClose);
        c.viaHost = localAddress;
        c.viaPort = raw.localPort ?? 0;
        c.#send = (data) => void socket.write(data);
        c.#close = () => socket.destroy();
        break;
      }
      case 'ws':
      case 'wss': {
        const socket = new WebSocket(`${protocol}://127.0.0.1:${serverPort}`, 'sip', { localAddress, rejectUnauthorized: false });
        await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
        assert.equal(socket.protocol, 'sip', 'the server negotiates the sip subprotocol (RFC 7118 §4.1)');
        socket.on('message', (data: RawData) => onData(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer)));
        socket.on('error', () => undefined);
        socket.on('close', onClose);
        c.viaHost = `${randomBytes(5).toString('hex')}.invalid`;
        c.viaPort = 0;
        c.#send = (data) => socket.send(data);
        c.#close = () => socket.terminate();
        break;
      }
      default: {
        const never: never = protocol;
        throw new Error(`unknown protocol ${String(never)}`);
      }
    }
    return c;
  }

  /** `SIP/2.0/WS abc.invalid;branch=…` as a client of this transport writes it. */
  via(branch = newBranch()): string {
    const sentBy = this.viaPort === 0 ? this.viaHost : `${this.viaHost}:${this.viaPort}`;
    return `SIP/2.0/${this.protocol.toUpperCase()} ${sentBy};branch=${branch};rport`;
  }

  /** This client's Contact URI for `user`. */
  contact(user: string): string {
    const port = this.viaPort === 0 ? '' : `:${this.viaPort}`;
    const transport = this.protocol === 'udp' ? '' : `;transport=${this.protocol === 'wss' ? 'ws' : this.protocol}`;
    return `sip:${user}@${this.viaHost}${port}${transport}`;
  }

  send(data: Buffer | string): void {
    this.#send(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  close(): void {
    this.#close();
  }
}

/**
 * Sends a request and waits for its final response. Over UDP the request is retransmitted every
 * 500 ms (as RFC 3261 timers E/A would), since a datagram may be lost, e.g. behind a flood.
 */
export async function exchange(client: RawSipClient, text: string, callId: string, method: string): Promise<SipResponse> {
  if (client.protocol !== 'udp') {
    client.send(text);
    return client.inbox.response(callId, { method });
  }
  for (let attempt = 0; attempt < 10; attempt++) {
    client.send(text);
    const response = await client.inbox.responseWithin(callId, method, 500);
    if (response) return response;
  }
  return assert.fail(`no final response for ${method} ${callId} over UDP within 5 s`);
}

export function newBranch(): string {
  return `z9hG4bK${randomBytes(8).toString('hex')}`;
}

export type RequestSpec = {
  readonly method: string;
  readonly uri: string;
  readonly from: string;
  readonly fromTag: string;
  readonly to: string;
  readonly toTag?: string;
  readonly callId: string;
  readonly cseq: number;
  readonly contact?: string;
  readonly extra?: readonly string[];
  readonly body?: string;
  readonly contentType?: string;
};

/** The text of a request from `client` (its Via on top). */
export function requestText(client: RawSipClient, spec: RequestSpec, branch = newBranch()): string {
  const body = spec.body ?? '';
  return [
    `${spec.method} ${spec.uri} SIP/2.0`,
    `Via: ${client.via(branch)}`,
    'Max-Forwards: 70',
    `From: <${spec.from}>;tag=${spec.fromTag}`,
    `To: <${spec.to}>${spec.toTag !== undefined ? `;tag=${spec.toTag}` : ''}`,
    `Call-ID: ${spec.callId}`,
    `CSeq: ${spec.cseq} ${spec.method}`,
    ...(spec.contact !== undefined ? [`Contact: <${spec.contact}>`] : []),
    ...(spec.extra ?? []),
    ...(body.length > 0 ? [`Content-Type: ${spec.contentType ?? 'text/plain'}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/**
 * Sends the request; on a 401/407 answers the challenge (user/password) with CSeq + 1 and a new
 * branch, and returns the final response to that. For INVITE the first final (the 407) is
 * ACKed first, as a UAC must (RFC 3261 §17.1.1.3). `afterChallenge` sees the request as resent.
 */
export async function sendAuthenticated(
  client: RawSipClient,
  spec: RequestSpec,
  credentials: { readonly user: string; readonly password: string },
): Promise<{ readonly response: SipResponse; readonly cseq: number }> {
  const branch = newBranch();
  const first = await exchange(client, requestText(client, spec, branch), spec.callId, spec.method);
  if (first.status !== 401 && first.status !== 407) return { response: first, cseq: spec.cseq };
  if (spec.method === 'INVITE') client.send(ackText(client, spec, first, branch));
  const header = first.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
  const challenge = readChallenge(first.headers.getAll(header)[0] ?? assert.fail(`${first.status} without ${header}`));
  const authorization = answerChallenge({ challenge, method: spec.method, uri: spec.uri, username: credentials.user, password: credentials.password });
  const cseq = spec.cseq + 1;
  const retry = { ...spec, cseq, extra: [...(spec.extra ?? []), `${first.status === 401 ? 'Authorization' : 'Proxy-Authorization'}: ${authorization}`] };
  return { response: await exchange(client, requestText(client, retry), spec.callId, spec.method), cseq };
}

/** The ACK for a non-2xx final of an INVITE: same branch, To from the response (RFC 3261 §17.1.1.3). */
export function ackText(client: RawSipClient, invite: RequestSpec, response: SipResponse, branch: string): string {
  return [
    `ACK ${invite.uri} SIP/2.0`,
    `Via: ${client.via(branch)}`,
    'Max-Forwards: 70',
    `From: <${invite.from}>;tag=${invite.fromTag}`,
    `To: ${response.headers.get('To') ?? ''}`,
    `Call-ID: ${invite.callId}`,
    `CSeq: ${invite.cseq} ACK`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** A UAS answer to `request`: its Via, Record-Route, From, Call-ID and CSeq, with our To tag and Contact. */
export function responseText(request: SipRequest, status: number, reason: string, options: { toTag?: string; contact?: string; body?: string } = {}): string {
  const to = request.headers.get('To') ?? '';
  const body = options.body ?? '';
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...request.headers.getAll('Via').map((v) => `Via: ${v}`),
    ...request.headers.getAll('Record-Route').map((v) => `Record-Route: ${v}`),
    `From: ${request.headers.get('From') ?? ''}`,
    `To: ${options.toTag !== undefined && !/;\s*tag=/i.test(to) ? `${to};tag=${options.toTag}` : to}`,
    `Call-ID: ${request.headers.get('Call-ID') ?? ''}`,
    `CSeq: ${request.headers.get('CSeq') ?? ''}`,
    ...(options.contact !== undefined ? [`Contact: <${options.contact}>`] : []),
    ...(body.length > 0 ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** REGISTER `user` from `client` (challenge answered); returns the final response. */
export async function registerUser(
  client: RawSipClient,
  o: { readonly domain: string; readonly user: string; readonly password: string; readonly expires?: number; readonly callId?: string; readonly contact?: string },
): Promise<SipResponse> {
  const aor = `sip:${o.user}@${o.domain}`;
  const { response } = await sendAuthenticated(
    client,
    {
      method: 'REGISTER',
      uri: `sip:${o.domain}`,
      from: aor,
      fromTag: randomBytes(4).toString('hex'),
      to: aor,
      callId: o.callId ?? `reg-${randomBytes(6).toString('hex')}`,
      cseq: 1,
      contact: o.contact ?? client.contact(o.user),
      extra: [`Expires: ${o.expires ?? 600}`],
    },
    { user: o.user, password: o.password },
  );
  return response;
}
