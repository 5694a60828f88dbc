/** The routing read model: SQL projection `routing`, in-memory view `routing_view`. See docs/projections.md. */
export { dialledNumberKey, lineNumberKey } from './number-key.ts';
export { resolveRoutingInput, type NoPstnReason, type PstnRouteInput, type RoutingInput } from './routing-input.ts';
export { ROUTING_EVENT_TYPES, ROUTING_PROJECTION, routingProjection, type RoutingProjectionEvent } from './routing-projection.ts';
export { routingReader, type RoutingReader } from './routing-reader.ts';
export { ROUTING_TABLES } from './routing-sql.ts';
export type { CompiledDialPlan, CompiledPstnRoute, RoutingState, RoutingUser, UserVoiceSettings } from './routing-state.ts';
export { ROUTING_VIEW, loadRoutingState, routingSeed, routingView, type RoutingChangeKey } from './routing-view.ts';
