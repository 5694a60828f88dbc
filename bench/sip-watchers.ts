/**
 * The presence fan-out benchmark's watchers, run as a child process of bench/sip.bench.ts (forked
 * with IPC) so their CPU and memory are not the edition's: W presence subscriptions (RFC 6665,
 * RFC 3856) from one UDP socket, each authenticated with MD5 digest, every NOTIFY answered 200.
 * `register` registers the presentity from the same socket (the presence server credits a PUBLISH
 * to the registered endpoint it comes from); `publish` sends one PIDF PUBLISH for it, and from the
 * moment the authenticated PUBLISH goes out (t0) the arrival of each watcher's first NOTIFY is
 * recorded, on this process's clock, and sent back on `collect`.
 *
 * Protocol (process messages, validated with zod):
 *   parent → child  start { host, port, domain, watchers: [{ user, password, presentity }], concurrency }
 *   child → parent  ready { subscribed, failed, retried500, firstError, seconds }
 *   parent → child  register { host, port, domain, user, password }
 *   child → parent  registered { error }
 *   parent → child  publish { domain, user, password, note }
 *   child → parent  published { t0, status, error }
 *   parent → child  collect
 *   child → parent  arrivals { at: (number | null)[] }   one entry per subscribed watcher
 *   parent → child  close
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { computeDigestHa1, digestResponse, isSupportedAlgorithm } from '../src/realtime/auth/digest-response.ts';
import { formatCredentials, parseChallenge } from '../src/realtime/sip/auth-header.ts';
import type { SipMessage } from '../src/realtime/sip/message.ts';
import { parseMessage } from '../src/realtime/sip/parser.ts';
import { WatcherCommandSchema, type WatcherReport } from './sip-watchers-protocol.ts';

/** Request retransmission (RFC 3261 T1 = 500 ms, doubled), and how many tries before a watcher counts as failed. */
const RETRANSMIT_MS = 500;
const MAX_TRIES = 6;
/**
 * A SUBSCRIBE answered 500 is started over (new transaction, fresh challenge) up to this many
 * times, after a short random pause. Why: concurrent SUBSCRIBEs to ONE presentity race on its
 * user stream, and the presence server answers the losers 500 instead of retrying the append
 * (seen 2026-11-26); a phone would retry too (RFC 3261 §21.5.1), and the bench counts these.
 */
const RETRY_500 = 30;

class ServerError extends Error {}

const now = (): number => performance.timeOrigin + performance.now();
const token = (): string => randomBytes(6).toString('hex');

interface Watcher {
  readonly user: string;
  readonly password: string;
  readonly presentity: string;
  readonly callId: string;
  readonly fromTag: string;
  /** First NOTIFY after the PUBLISH went out, or null. */
  arrival: number | null;
}

interface Pending {
  resolve: (response: SipMessage & { kind: 'response' }) => void;
  timer: NodeJS.Timeout;
}

async function main(): Promise<void> {
  // A fan-out lands W NOTIFYs on this one socket at once: the default receive buffer (~208 KB)
  // would drop some, and the harness, not the server, would add a retransmission to the tail.
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const localPort = socket.address().port;
  const byCallId = new Map<string, Watcher>();
  const pending = new Map<string, Pending>();
  let armed = false;
  let target = { host: '127.0.0.1', port: 0 };
  const post = (report: WatcherReport): void => {
    process.send?.(report);
  };

  socket.on('message', (data, rinfo) => {
    const parsed = parseMessage(data, { mode: 'datagram', maxMessageSize: 65_535 });
    if (!parsed.ok) return;
    const message = parsed.value;
    const callId = message.headers.get('call-id') ?? '';
    if (message.kind === 'response') {
      const key = `${callId} ${message.headers.get('cseq') ?? ''}`;
      const p = pending.get(key);
      if (!p || message.status < 200) return;
      pending.delete(key);
      clearTimeout(p.timer);
      p.resolve(message);
      return;
    }
    if (message.method !== 'NOTIFY') return;
    const watcher = byCallId.get(callId);
    if (watcher && armed && watcher.arrival === null) watcher.arrival = now();
    // 200 OK echoing the transaction's headers (RFC 3261 §8.2.6.2).
    const h = message.headers;
    const lines = [
      'SIP/2.0 200 OK',
      ...h.getAll('via').map((v) => `Via: ${v}`),
      `From: ${h.get('from') ?? ''}`,
      `To: ${h.get('to') ?? ''}`,
      `Call-ID: ${callId}`,
      `CSeq: ${h.get('cseq') ?? ''}`,
      'Content-Length: 0',
      '',
      '',
    ];
    socket.send(lines.join('\r\n'), rinfo.port, rinfo.address);
  });

  const request = (text: string, key: string): Promise<SipMessage & { kind: 'response' }> =>
    new Promise((resolve, reject) => {
      let tries = 0;
      const attempt = (): void => {
        if (++tries > MAX_TRIES) {
          pending.delete(key);
          reject(new Error(`no final response to ${key.split(' ').slice(1).join(' ')} after ${MAX_TRIES} tries`));
          return;
        }
        socket.send(text, target.port, target.host);
        const entry = pending.get(key);
        const timer = setTimeout(attempt, RETRANSMIT_MS * 2 ** (tries - 1));
        if (entry) entry.timer = timer;
        else pending.set(key, { resolve, timer });
      };
      attempt();
    });

  /**
   * One request with digest authentication: sent as is, and on 401/407 once more with MD5
   * credentials for the first MD5 challenge. `onAuthorizedSend` runs just before the request with
   * credentials goes out (the publication's t0). Resolves with the final response of the last try.
   */
  const authenticated = async (r: {
    method: string;
    ruri: string;
    user: string;
    password: string;
    from: string;
    to: string;
    callId: string;
    cseq: number;
    headers: readonly string[];
    body?: string;
    onAuthorizedSend?: () => void;
  }): Promise<SipMessage & { kind: 'response' }> => {
    const body = r.body ?? '';
    const build = (cseq: number, authorization?: string): string =>
      [
        `${r.method} ${r.ruri} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK${token()};rport`,
        'Max-Forwards: 70',
        `From: ${r.from}`,
        `To: ${r.to}`,
        `Call-ID: ${r.callId}`,
        `CSeq: ${cseq} ${r.method}`,
        ...r.headers,
        ...(authorization ? [authorization] : []),
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n');
    const first = await request(build(r.cseq), `${r.callId} ${r.cseq} ${r.method}`);
    if (first.status === 500) throw new ServerError(`${r.method} answered 500 ${first.reason}`);
    if (first.status !== 401 && first.status !== 407) return first;
    const header = first.status === 401 ? 'www-authenticate' : 'proxy-authenticate';
    const challenges = first.headers.getAll(header).map(parseChallenge);
    const md5 = challenges.find((c) => c.ok && c.value.scheme === 'Digest' && (c.value.algorithm ?? 'MD5') === 'MD5');
    if (!md5?.ok || md5.value.scheme !== 'Digest') throw new Error(`no MD5 digest challenge in ${first.status}`);
    const c = md5.value;
    const algorithm = c.algorithm ?? 'MD5';
    if (!isSupportedAlgorithm(algorithm)) throw new Error(`unsupported algorithm ${algorithm}`);
    const qop = c.qop?.includes('auth') ? ('auth' as const) : undefined;
    const cnonce = token();
    const nc = '00000001';
    const response = digestResponse({
      algorithm,
      ha1: computeDigestHa1(algorithm, r.user, c.realm, r.password),
      method: r.method,
      uri: r.ruri,
      nonce: c.nonce,
      qop,
      nc: qop ? nc : undefined,
      cnonce: qop ? cnonce : undefined,
    });
    const credentials = formatCredentials({
      scheme: 'Digest',
      username: r.user,
      realm: c.realm,
      nonce: c.nonce,
      uri: r.ruri,
      response,
      algorithm,
      ...(c.opaque !== undefined ? { opaque: c.opaque } : {}),
      ...(qop ? { qop, nc, cnonce } : {}),
      extra: [],
    });
    const authName = first.status === 401 ? 'Authorization' : 'Proxy-Authorization';
    const text = build(r.cseq + 1, `${authName}: ${credentials}`);
    r.onAuthorizedSend?.();
    const second = await request(text, `${r.callId} ${r.cseq + 1} ${r.method}`);
    if (second.status === 500) throw new ServerError(`authenticated ${r.method} answered 500 ${second.reason}`);
    return second;
  };

  const subscribe = async (w: Watcher, domain: string, attempt: number): Promise<void> => {
    const ruri = `sip:${w.presentity}@${domain}`;
    const final = await authenticated({
      method: 'SUBSCRIBE',
      ruri,
      user: w.user,
      password: w.password,
      from: `<sip:${w.user}@${domain}>;tag=${w.fromTag}`,
      to: `<${ruri}>`,
      callId: w.callId,
      cseq: attempt * 2 + 1,
      headers: [`Contact: <sip:${w.user}@127.0.0.1:${localPort};transport=udp>`, 'Event: presence', 'Accept: application/pidf+xml', 'Expires: 3600'],
    });
    if (final.status !== 200 && final.status !== 202) throw new Error(`SUBSCRIBE answered ${final.status} ${final.reason}`);
  };

  /** The presentity's own phone on this socket: a REGISTER, so the PUBLISH comes from a registered endpoint. */
  const registerPresentity = async (domain: string, user: string, password: string): Promise<void> => {
    const aor = `<sip:${user}@${domain}>`;
    const final = await authenticated({
      method: 'REGISTER',
      ruri: `sip:${domain}`,
      user,
      password,
      from: `${aor};tag=${token()}`,
      to: aor,
      callId: `p-${token()}`,
      cseq: 1,
      headers: [`Contact: <sip:${user}@127.0.0.1:${localPort};transport=udp>`, 'Expires: 3600'],
    });
    if (final.status !== 200) throw new Error(`REGISTER answered ${final.status} ${final.reason}`);
  };

  /** A PIDF publication (RFC 3903, RFC 3863) like test/fixtures/sipp/publish.xml's; resolves with when it went out. */
  const publish = async (domain: string, user: string, password: string, note: string): Promise<{ t0: number; status: number }> => {
    const entity = `sip:${user}@${domain}`;
    const body = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="${entity}">`,
      '  <tuple id="t1">',
      '    <status><basic>open</basic></status>',
      `    <contact>sip:${user}@127.0.0.1:${localPort}</contact>`,
      `    <note>${note}</note>`,
      '  </tuple>',
      '  <dm:person id="p1">',
      '    <rpid:activities><rpid:busy/></rpid:activities>',
      `    <dm:note>${note}</dm:note>`,
      '  </dm:person>',
      '</presence>',
      '',
    ].join('\r\n');
    let t0 = 0;
    const final = await authenticated({
      method: 'PUBLISH',
      ruri: entity,
      user,
      password,
      from: `<${entity}>;tag=${token()}`,
      to: `<${entity}>`,
      callId: `pub-${token()}`,
      cseq: 1,
      headers: ['Event: presence', 'Expires: 3600', 'Content-Type: application/pidf+xml'],
      body,
      // Watchers count from here: what came before is the digest challenge, not the publication.
      onAuthorizedSend: () => {
        armed = true;
        t0 = now();
      },
    });
    if (t0 === 0) {
      // Answered without a challenge: the first send was the publication.
      throw new Error(`PUBLISH answered ${final.status} without a challenge; t0 unknown`);
    }
    return { t0, status: final.status };
  };

  const subscribed: Watcher[] = [];
  process.on('message', (raw: unknown) => {
    const command = WatcherCommandSchema.parse(raw);
    switch (command.type) {
      case 'start': {
        target = { host: command.host, port: command.port };
        const started = performance.now();
        const queue = command.watchers.map(
          (x): Watcher => ({ user: x.user, password: x.password, presentity: x.presentity, callId: `w-${token()}`, fromTag: token(), arrival: null }),
        );
        for (const w of queue) byCallId.set(w.callId, w);
        let failed = 0;
        let retried500 = 0;
        let firstError: string | null = null;
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < queue.length) {
            const w = queue[next++]!;
            for (let attempt = 0; ; attempt++) {
              try {
                await subscribe(w, command.domain, attempt);
                subscribed.push(w);
                break;
              } catch (error) {
                if (error instanceof ServerError && attempt < RETRY_500) {
                  retried500++;
                  await new Promise((r) => setTimeout(r, 5 + Math.random() * 45));
                  continue;
                }
                failed++;
                firstError ??= `${w.user}: ${(error as Error).message}`;
                break;
              }
            }
          }
        };
        void Promise.all(Array.from({ length: command.concurrency }, lane)).then(() =>
          post({ type: 'ready', subscribed: subscribed.length, failed, retried500, firstError, seconds: (performance.now() - started) / 1000 }),
        );
        return;
      }
      case 'register':
        target = { host: command.host, port: command.port };
        registerPresentity(command.domain, command.user, command.password).then(
          () => post({ type: 'registered', error: null }),
          (error: unknown) => post({ type: 'registered', error: (error as Error).message }),
        );
        return;
      case 'publish':
        publish(command.domain, command.user, command.password, command.note).then(
          ({ t0, status }) => post({ type: 'published', t0, status, error: null }),
          (error: unknown) => post({ type: 'published', t0: null, status: null, error: (error as Error).message }),
        );
        return;
      case 'collect':
        post({ type: 'arrivals', at: subscribed.map((w) => w.arrival) });
        return;
      case 'close':
        for (const p of pending.values()) clearTimeout(p.timer);
        socket.close();
        process.disconnect?.();
        return;
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  });
}

await main();
