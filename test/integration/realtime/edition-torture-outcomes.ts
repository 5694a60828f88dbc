import { TORTURE_CASES } from '../../fixtures/rfc4475/outcomes.ts';

/** What a client sees from the full server: a final status, no answer (`drop`), or the connection closed. */
export type ServerOutcome = number | 'drop' | 'close';

/**
 * RFC 4475 messages against a started Standard Edition (front-end, registrar, IM, presence, call
 * router), where test/fixtures/rfc4475/outcomes.ts gives the engine's own verdicts. Where the engine
 * rejects a message (400, 420, 505, 416…) the full server answers the same; where the engine passes
 * it on, this is what the handlers answer. None of these requests is authenticated, none names a
 * served domain as a local user could, so none may write an event.
 */
export const FULL_SERVER_OUTCOMES: Readonly<Record<string, { readonly udp: ServerOutcome; readonly tcp: ServerOutcome; readonly why: string }>> = {
  badaspec: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  badbranch: { udp: 404, tcp: 404, why: 'OPTIONS for a domain not served: 404 (a branch without the magic cookie is accepted, RFC 3261 §8.2.3)' },
  baddate: { udp: 407, tcp: 407, why: 'INVITE: challenged (407) before routing; the Date header is not used' },
  baddn: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  badinv01: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  badvers: { udp: 505, tcp: 505, why: 'rejected by the engine, as in the engine torture test' },
  bcast: { udp: 'drop', tcp: 'drop', why: 'a response with a broadcast Via: no transaction, never forwarded' },
  bext01: { udp: 420, tcp: 420, why: 'rejected by the engine, as in the engine torture test' },
  bigcode: { udp: 'drop', tcp: 'drop', why: 'status code over 699: discarded' },
  clerr: { udp: 400, tcp: 'drop', why: 'Content-Length past the end: 400 on UDP; on TCP the server waits for the rest (then closes after 30 s)' },
  cparam01: { udp: 404, tcp: 404, why: 'REGISTER for a domain not served: 404' },
  cparam02: { udp: 404, tcp: 404, why: 'REGISTER for a domain not served: 404' },
  dblreq: { udp: 404, tcp: 404, why: 'the REGISTER (domain not served) is answered 404; on UDP the INVITE after Content-Length is ignored' },
  esc01: { udp: 403, tcp: 403, why: 'INVITE from a user of another domain: the call router refuses callers that are not local' },
  esc02: { udp: 501, tcp: 501, why: 'RE%47IST%45R is an unknown method: 501' },
  escnull: { udp: 404, tcp: 404, why: 'REGISTER for a domain not served: 404 (RFC 3261 §21.4.5)' },
  escruri: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  insuf: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  intmeth: { udp: 501, tcp: 501, why: 'unknown method: 501 (RFC 3261 §21.5.2)' },
  inv2543: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  invut: { udp: 407, tcp: 407, why: 'INVITE: challenged (407) before the body is looked at' },
  longreq: { udp: 407, tcp: 407, why: 'INVITE whose From names no domain of ours as a local user is challenged (407) before routing' },
  ltgtruri: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  lwsdisp: { udp: 404, tcp: 404, why: 'OPTIONS for a domain not served: 404' },
  lwsruri: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  lwsstart: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  mcl01: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  mismatch01: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  mismatch02: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  mpart01: { udp: 404, tcp: 404, why: 'MESSAGE for a domain not served: 404' },
  multi01: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  ncl: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  noreason: { udp: 'drop', tcp: 'drop', why: 'a response matching no transaction: dropped' },
  novelsc: { udp: 416, tcp: 416, why: 'rejected by the engine, as in the engine torture test' },
  quotbal: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  regaut01: { udp: 404, tcp: 404, why: 'REGISTER for a domain not served: 404 before any authentication' },
  regbadct: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  regescrt: { udp: 404, tcp: 404, why: 'REGISTER for a domain not served: 404' },
  scalar02: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  scalarlg: { udp: 'drop', tcp: 'drop', why: 'a response with an out-of-range CSeq: discarded' },
  sdp01: { udp: 407, tcp: 407, why: 'INVITE: challenged (407) before the body is looked at' },
  semiuri: { udp: 404, tcp: 404, why: 'OPTIONS for a domain not served: 404' },
  transports: { udp: 404, tcp: 404, why: 'OPTIONS for a domain not served: 404' },
  trws: { udp: 400, tcp: 400, why: 'rejected by the engine, as in the engine torture test' },
  unkscm: { udp: 416, tcp: 416, why: 'rejected by the engine, as in the engine torture test' },
  unksm2: { udp: 404, tcp: 404, why: 'REGISTER for a domain not served: 404' },
  unreason: { udp: 'drop', tcp: 'drop', why: 'a response matching no transaction: dropped' },
  wsinv: { udp: 404, tcp: 404, why: 'an in-dialog INVITE (To tag) of no call of ours whose top Route (services.example.com) is not us: 404 Not Here — no open relay, as Kamailio\'s loose_route() check' },
  zeromf: { udp: 404, tcp: 404, why: 'OPTIONS (Max-Forwards 0 allowed for OPTIONS) for a domain not served: 404' },
};

// Every torture message has an expected outcome here.
for (const c of TORTURE_CASES) if (!(c.name in FULL_SERVER_OUTCOMES)) throw new Error(`no full-server outcome for ${c.name}`);
