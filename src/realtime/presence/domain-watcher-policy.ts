import { domainOfAor } from './presence-sip.ts';
import type { WatcherDecision, WatcherPolicy } from './watcher-policy.ts';

export type DomainWatcherPolicyOptions = {
  /**
   * Domains whose users may watch anyone in any served domain. Default: none,
   * so only a watcher of the presentity's own domain is allowed (federation off,
   * as OCS ships).
   */
  readonly trustedDomains?: readonly string[];
  /**
   * The presentity's block list: watchers it refused (exact AORs). Read on every
   * SUBSCRIBE, so it may be backed by a live view. Default: nobody is blocked.
   */
  readonly blockedWatchers?: (presentity: string) => ReadonlySet<string>;
};

/** The default policy: same domain allowed, per-user block list wins over it. */
export class DomainWatcherPolicy implements WatcherPolicy {
  readonly #trusted: ReadonlySet<string>;
  readonly #blocked: (presentity: string) => ReadonlySet<string>;

  constructor(options: DomainWatcherPolicyOptions = {}) {
    this.#trusted = new Set((options.trustedDomains ?? []).map((d) => d.toLowerCase()));
    this.#blocked = options.blockedWatchers ?? (() => new Set());
  }

  decide(watcher: string, presentity: string): WatcherDecision {
    if (this.#blocked(presentity).has(watcher)) return { kind: 'deny', reason: 'blocked by the presentity' };
    const domain = domainOfAor(watcher);
    if (domain === domainOfAor(presentity) || this.#trusted.has(domain)) return { kind: 'allow' };
    return { kind: 'deny', reason: `watchers of ${domain} may not watch ${domainOfAor(presentity)}` };
  }
}
