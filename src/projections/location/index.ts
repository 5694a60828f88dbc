/** The location model (issue 3): registrar bindings as a SQL projection and an in-memory view. */
export { compareBindings, type Binding } from './binding.ts';
export { LOCATION_EVENT_TYPES, type LocationEventType } from './location-event-types.ts';
export { createLocationReader, type LocationReader } from './location-reader.ts';
export { LOCATION_PROJECTION_NAME, locationProjection } from './location-sql-projection.ts';
export { LOCATION_TABLES, loadLocationViewState, selectBindings } from './location-tables.ts';
export { LOCATION_VIEW_NAME, applyLocationEvent, locationView } from './location-view.ts';
export type { LocationViewState } from './location-view-state.ts';
