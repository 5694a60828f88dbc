/**
 * Who may watch whom (RFC 3856 §6.6 leaves the authorisation policy to the
 * presence server). `deny` is answered 403; the watcher learns nothing else.
 * The notifier asks again whenever the presentity's presence or block list
 * changes, and ends a subscription now denied (`terminated;reason=rejected`).
 */
export type WatcherDecision = { readonly kind: 'allow' } | { readonly kind: 'deny'; readonly reason: string };

export interface WatcherPolicy {
  /** `watcher` and `presentity` are `sip:user@host` AORs, the watcher already authenticated. */
  decide(watcher: string, presentity: string): WatcherDecision;
}
