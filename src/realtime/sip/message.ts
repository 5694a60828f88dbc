import { canonicalHeaderName, headerKey } from './header-names.ts';
import type { Uri } from './uri.ts';

/** One header line as received or to be sent; `value` has line folding replaced by one SP. */
export type Header = {
  /** Canonical spelling for known headers (compact forms expanded), else as received. */
  readonly name: string;
  /** Lower-cased canonical name, the lookup key. */
  readonly key: string;
  readonly value: string;
};

/** What callers pass to build headers: a name (any case, compact forms allowed) and a value. */
export type HeaderInit = readonly [name: string, value: string];

export function header(name: string, value: string): Header {
  return { name: canonicalHeaderName(name), key: headerKey(name), value };
}

/**
 * An ordered, multi-valued header list. Immutable: every change returns a new
 * list, so a message handed to a handler can be kept without defensive copies.
 * A header whose value is a comma-separated list stays one entry (as received);
 * the typed parsers (via.ts, name-addr.ts) split it.
 */
export class Headers {
  readonly #entries: readonly Header[];

  constructor(entries: readonly Header[] = []) {
    this.#entries = entries;
  }

  static of(inits: readonly HeaderInit[]): Headers {
    return new Headers(inits.map(([n, v]) => header(n, v)));
  }

  get size(): number {
    return this.#entries.length;
  }

  entries(): readonly Header[] {
    return this.#entries;
  }

  /** First value of a header, or undefined. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const h of this.#entries) if (h.key === key) return h.value;
    return undefined;
  }

  /** Every value of a header, in order (one per header line). */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const h of this.#entries) if (h.key === key) out.push(h.value);
    return out;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.#entries.some((h) => h.key === key);
  }

  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const h of this.#entries) if (h.key === key) n++;
    return n;
  }

  append(name: string, value: string): Headers {
    return new Headers([...this.#entries, header(name, value)]);
  }

  prepend(name: string, value: string): Headers {
    return new Headers([header(name, value), ...this.#entries]);
  }

  /** Replaces every line of `name` by one line at the position of the first (or at the end). */
  set(name: string, value: string): Headers {
    const key = headerKey(name);
    const out: Header[] = [];
    let placed = false;
    for (const h of this.#entries) {
      if (h.key !== key) out.push(h);
      else if (!placed) {
        out.push(header(name, value));
        placed = true;
      }
    }
    if (!placed) out.push(header(name, value));
    return new Headers(out);
  }

  remove(name: string): Headers {
    const key = headerKey(name);
    return new Headers(this.#entries.filter((h) => h.key !== key));
  }

  /** Removes only the first line of `name` (e.g. the top Via of a response being forwarded). */
  removeFirst(name: string): Headers {
    const key = headerKey(name);
    const i = this.#entries.findIndex((h) => h.key === key);
    return i < 0 ? this : new Headers([...this.#entries.slice(0, i), ...this.#entries.slice(i + 1)]);
  }
}

export type SipVersion = string;

export type SipRequest = {
  readonly kind: 'request';
  /** Case-sensitive (RFC 3261 §7.1): "invite" is an unknown method, not INVITE. */
  readonly method: string;
  readonly uri: Uri;
  /** "SIP/2.0" for every request the engine accepts; the parser also returns others so a 505 can be sent. */
  readonly version: SipVersion;
  readonly headers: Headers;
  readonly body: Buffer;
};

export type SipResponse = {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly version: SipVersion;
  readonly headers: Headers;
  readonly body: Buffer;
};

export type SipMessage = SipRequest | SipResponse;

export const SIP_VERSION = 'SIP/2.0';
export const EMPTY_BODY: Buffer = Buffer.alloc(0);

/** Default reason phrases (RFC 3261 §21 and extensions the engine sends itself). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  204: 'No Notification',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  412: 'Conditional Request Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  421: 'Extension Required',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  493: 'Undecipherable',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

export function defaultReason(status: number): string {
  return REASON_PHRASES[status] ?? (status < 200 ? 'Session Progress' : status < 300 ? 'OK' : 'Error');
}
