import { isBlockedBy } from '../../commands/user/presence-block-rules.ts';
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
   * The presentity's block list: watcher AORs (`sip:user@host`) and whole
   * domains (`host`) it refused. Read on every SUBSCRIBE and on every change of
   * the presentity, so it may be backed by a live view (the presence view's
   * `blockedWatchersOf`). Default: nobody is blocked.
   */
  readonly blockedWatchers?: (presentity: string) => readonly string[];
};

/** The default policy: same domain allowed, per-user block list wins over it. */
export class DomainWatcherPolicy implements WatcherPolicy {
  readonly #trusted: ReadonlySet<string>;
  readonly #blocked: (presentity: string) => readonly string[];

  constructor(options: DomainWatcherPolicyOptions = {}) {
    this.#trusted = new Set((options.trustedDomains ?? []).map((d) => d.toLowerCase()));
    this.#blocked = options.blockedWatchers ?? (() => []);
  }

  decide(watcher: string, presentity: string): WatcherDecision {
    if (isBlockedBy(this.#blocked(presentity), watcher)) return { kind: 'deny', reason: 'blocked by the presentity' };
    const domain = domainOfAor(watcher);
    if (domain === domainOfAor(presentity) || this.#trusted.has(domain)) return { kind: 'allow' };
    return { kind: 'deny', reason: `watchers of ${domain} may not watch ${domainOfAor(presentity)}` };
  }
}
