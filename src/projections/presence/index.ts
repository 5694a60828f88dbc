/** The presence model (issue 3): aggregated presence and watchers as a SQL projection and an in-memory view. */
export { IN_A_CALL, aggregatePresence, presenceValidThrough } from './aggregate-presence.ts';
export { evolveTrackedCall, type CallPartiesChange, type TrackedCall } from './call-parties.ts';
export { loadPresenceInputs, loadPresenceViewState, readPresenceFromSql } from './load-presence.ts';
export { PRESENCE_EVENT_TYPES, type PresenceEventType } from './presence-event-types.ts';
export type { AggregatedPresence, MachinePublication, PresenceInputs, PresenceSource, UserSetState } from './presence-inputs.ts';
export { UNKNOWN_USER_PRESENCE, createPresenceReader, type PresenceReader } from './presence-reader.ts';
export { PRESENCE_PROJECTION_NAME, presenceProjection } from './presence-sql-projection.ts';
export { PRESENCE_TABLES } from './presence-tables.ts';
export { PRESENCE_VIEW_NAME, applyPresenceEvent, presenceView } from './presence-view.ts';
export type { PresenceRecord, PresenceViewState, PresenceWatcher } from './presence-view-state.ts';
