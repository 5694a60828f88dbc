import { isLiveAt } from '../../projections/presence/instants.ts';
import { createPresenceReader } from '../../projections/presence/presence-reader.ts';
import type { PresenceViewState } from '../../projections/presence/presence-view-state.ts';
import type { PresenceSource } from './presence-ports.ts';

/**
 * The presence server's read side over the presence view: the projection's
 * reader plus the entity-tag index. Takes the holder, not the state, because a
 * view swaps its state in when it seeds. `now` bounds the etag lookup the same
 * way the decider does: a lapsed publication's tag matches nothing.
 */
export function presenceSourceOf(view: { readonly state: PresenceViewState }, now: () => string = () => new Date().toISOString()): PresenceSource {
  return {
    ...createPresenceReader(view),
    endpointOfEtag(sipUri, etag) {
      const publications = view.state.users.get(sipUri)?.publications;
      if (!publications) return undefined;
      const at = now();
      for (const p of publications.values()) if (p.etag === etag && isLiveAt(p.expiresAt, at)) return p.endpointId;
      return undefined;
    },
  };
}
