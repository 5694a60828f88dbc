import type {
  ReplayCallResult,
  ReplayConferenceResult,
  ReplayRoutingResult,
  WhatIfRequest,
  WhatIfResultBody,
} from '../api/contract/replay-as-of-contract.ts';
import { whatIfRouting } from '../compliance/what-if/what-if-routing.ts';
import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventStore } from '../events/event-store.ts';
import { AsOfSnapshots, callAsOf, conferenceAsOf, foldWithoutSnapshots, routingFromFold } from '../projections/as-of/index.ts';
import type { SqlClient } from '../storage/sql-client.ts';

/**
 * As-of reads of a conference, a call or the routing configuration, and
 * what-if routing: what `chorus replay --conference|--call|--routing` and
 * `chorus whatif` need. ChorusApiClient answers over HTTP; `localAsOfBackend`
 * on the log itself when no server runs.
 */
export interface AsOfBackend {
  replayConference(conferenceId: string, at: string): Promise<ReplayConferenceResult>;
  replayCall(sipCallId: string, at: string): Promise<ReplayCallResult>;
  replayRouting(at: string): Promise<ReplayRoutingResult>;
  whatIf(request: WhatIfRequest): Promise<WhatIfResultBody>;
}

/**
 * The same answers as the server's routes, computed in this process: with
 * snapshots when a read-model database is given, else by scanning the log.
 */
export function localAsOfBackend(store: EventStore<DomainEvent>, client?: SqlClient): AsOfBackend {
  const snapshots = client ? new AsOfSnapshots({ store, client }) : undefined;
  const foldAt = (at: string) => (snapshots ? snapshots.foldAt(at) : foldWithoutSnapshots(store, at));
  return {
    async replayConference(conferenceId, at) {
      const r = await conferenceAsOf(store, conferenceId, at);
      return { conferenceId: r.conferenceId, at, position: String(r.position), state: r.state };
    },
    async replayCall(sipCallId, at) {
      const r = await callAsOf(store, sipCallId, at);
      return { sipCallId: r.sipCallId, at, position: String(r.position), state: r.state };
    },
    async replayRouting(at) {
      const r = routingFromFold(await foldAt(at), at);
      return { at, position: String(r.position), state: r.state };
    },
    whatIf: ({ sipCallId, config }) =>
      whatIfRouting(store, sipCallId, { ...(snapshots ? { snapshots } : {}), ...(config === undefined ? {} : { proposal: config }) }),
  };
}
