import { parseCSeq, parseMaxForwards, type CSeq } from './cseq.ts';
import type { SipRequest } from './message.ts';
import { parseContacts, parseNameAddr, type ContactValue, type NameAddr } from './name-addr.ts';
import { err, ok, type Result } from './result.ts';
import { parseVias, type Via } from './via.ts';

/** The headers every request must carry, parsed once by the engine. */
export type RequestCore = {
  /** Top first; the top one already carries received/rport for the source. */
  readonly vias: readonly Via[];
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly callId: string;
  readonly cseq: CSeq;
  readonly maxForwards: number;
  readonly contacts: readonly ContactValue[];
};

export type Rejection = {
  readonly status: number;
  readonly reason: string;
  /** Extra headers for the error response (e.g. Unsupported for a 420). */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
};

export type SanityOptions = {
  /** Option tags this server implements; others in Proxy-Require/Require get a 420. */
  readonly supportedOptionTags: ReadonlySet<string>;
  /** Check Require as well as Proxy-Require (a UAS must; a pure proxy must not). */
  readonly enforceRequire: boolean;
};

const REQUIRED = ['Via', 'To', 'From', 'Call-ID', 'CSeq', 'Max-Forwards'] as const;
const SINGLE = ['To', 'From', 'Call-ID', 'CSeq', 'Max-Forwards'] as const;

function reject(status: number, reason: string, headers?: ReadonlyArray<readonly [string, string]>): { ok: false; error: Rejection } {
  return err(headers ? { status, reason, headers } : { status, reason });
}

/**
 * RFC 3261 §8.2 / §16.3 request validation, in the order that gives the most
 * useful answer: version (505), missing or repeated mandatory headers (400,
 * naming them), malformed mandatory headers (400), Request-URI scheme (416),
 * CSeq/method mismatch (400), Max-Forwards exhausted (483, not for OPTIONS:
 * RFC 4475 §3.3.11), unsupported Proxy-Require/Require (420).
 */
export function checkRequest(req: SipRequest, options: SanityOptions): Result<Omit<RequestCore, 'vias'> & { vias: Via[] }, Rejection> {
  if (req.version !== 'SIP/2.0') return reject(505, 'Version Not Supported');
  const h = req.headers;
  const missing = REQUIRED.filter((name) => !h.has(name));
  if (missing.length > 0) return reject(400, `Missing ${missing.join(', ')} Header${missing.length > 1 ? 's' : ''}`);
  const repeated = SINGLE.filter((name) => h.count(name) > 1);
  if (repeated.length > 0) return reject(400, `Multiple ${repeated.join(', ')} Headers`);

  const vias = parseVias(h.getAll('Via'));
  if (!vias.ok) return reject(400, `Malformed Via Header`);
  const from = parseNameAddr(h.get('From') ?? '');
  if (!from.ok) return reject(400, `Malformed From Header`);
  const to = parseNameAddr(h.get('To') ?? '');
  if (!to.ok) return reject(400, `Malformed To Header`);
  const callId = (h.get('Call-ID') ?? '').trim();
  if (!/^[\x21-\x7e]+(@[\x21-\x7e]+)?$/.test(callId)) return reject(400, 'Malformed Call-ID Header');
  const cseq = parseCSeq(h.get('CSeq') ?? '');
  if (!cseq.ok) return reject(400, cseq.error);
  const maxForwards = parseMaxForwards(h.get('Max-Forwards') ?? '');
  if (!maxForwards.ok) return reject(400, maxForwards.error);
  const contacts = parseContacts(h.getAll('Contact'));
  if (!contacts.ok) return reject(400, 'Malformed Contact Header');

  if (req.uri.scheme === 'other') return reject(416, 'Unsupported URI Scheme');
  if ((req.uri.scheme === 'sip' || req.uri.scheme === 'sips') && req.uri.headers.length > 0) {
    return reject(400, 'Request-URI Must Not Contain Headers');
  }
  if (cseq.value.method !== req.method) return reject(400, 'CSeq Method Does Not Match Request Method');
  if (maxForwards.value === 0 && req.method !== 'OPTIONS') return reject(483, 'Too Many Hops');

  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const names = options.enforceRequire ? ['Proxy-Require', 'Require'] : ['Proxy-Require'];
    const unsupported = names
      .flatMap((name) => h.getAll(name))
      .flatMap((v) => v.split(','))
      .map((t) => t.trim())
      .filter((t) => t.length > 0 && !options.supportedOptionTags.has(t.toLowerCase()));
    if (unsupported.length > 0) return reject(420, 'Bad Extension', [['Unsupported', unsupported.join(', ')]]);
  }

  return ok({
    vias: vias.value,
    from: from.value,
    to: to.value,
    callId,
    cseq: cseq.value,
    maxForwards: maxForwards.value,
    contacts: contacts.value,
  });
}
