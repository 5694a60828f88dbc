/** The directory read model: SQL projection `directory`, in-memory view `directory_view`. See docs/projections.md. */
export { DIRECTORY_EVENT_TYPES, DIRECTORY_PROJECTION, directoryProjection, type DirectoryProjectionEvent } from './directory-projection.ts';
export { directoryReader, type DirectoryReader } from './directory-reader.ts';
export { DIRECTORY_TABLES } from './directory-sql.ts';
export { digestCredentials, type DigestCredentials, type DirectoryEntry, type DirectoryState } from './directory-state.ts';
export { DIRECTORY_VIEW, directorySeed, directoryView, loadDirectoryState } from './directory-view.ts';
