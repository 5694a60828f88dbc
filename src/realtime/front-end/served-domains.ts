import { SipUriSchema } from '../../events/domain/primitives.ts';
import { unescapeComponent } from '../sip/grammar.ts';
import { isSipUri, type Uri } from '../sip/uri.ts';

export type ServedDomainsOptions = {
  /** The SIP domain users live in (`example.test`): every AOR is `sip:user@<domain>`. */
  readonly domain: string;
  /** Other names of the domain (e.g. `sip.example.test`). Default none. */
  readonly aliases?: readonly string[];
  /**
   * This server's own hosts (listen and advertised addresses). A request to
   * `sip:bob@192.0.2.10` is for bob of the domain when 192.0.2.10 is one of
   * them, as clients configured by IP address send it. Default none.
   */
  readonly localHosts?: readonly string[];
};

/**
 * Which Request-URIs this server is responsible for. Everything else is a
 * foreign domain, answered 404 (RFC 3261 §21.4.5: "returned if the domain in
 * the Request-URI does not match any of the domains handled by the recipient").
 */
export class ServedDomains {
  readonly #domain: string;
  readonly #hosts: ReadonlySet<string>;

  constructor(options: ServedDomainsOptions) {
    this.#domain = options.domain.toLowerCase();
    this.#hosts = new Set([this.#domain, ...(options.aliases ?? []), ...(options.localHosts ?? [])].map(normaliseHost));
  }

  get domain(): string {
    return this.#domain;
  }

  /** True for a sip:/sips: URI whose host is the domain, an alias or one of our addresses. */
  serves(uri: Uri): boolean {
    return isSipUri(uri) && this.#hosts.has(normaliseHost(uri.host));
  }

  /** `sip:user@domain` for a served URI with a user part; undefined otherwise (or when it cannot be an AOR). */
  aorOf(uri: Uri): string | undefined {
    if (!isSipUri(uri) || uri.user === undefined || !this.serves(uri)) return undefined;
    const aor = `sip:${unescapeComponent(uri.user)}@${this.#domain}`;
    return SipUriSchema.safeParse(aor).success ? aor : undefined;
  }
}

/** Lower case, IPv6 without brackets, no trailing root dot. */
function normaliseHost(host: string): string {
  const h = host.toLowerCase();
  const unbracketed = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  return unbracketed.endsWith('.') ? unbracketed.slice(0, -1) : unbracketed;
}
