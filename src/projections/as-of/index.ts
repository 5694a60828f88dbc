/** As-of reads: the domain's state at a past instant, rebuilt from the log with the views' own reducers. */
export { AS_OF_CATEGORIES, AS_OF_FOLD_FORMAT, AsOfFold } from './as-of-fold.ts';
export { AS_OF_SNAPSHOT_TABLE } from './as-of-snapshot-table.ts';
export { AsOfSnapshots, foldWithoutSnapshots, type AsOfSnapshotsOptions } from './as-of-snapshots.ts';
export { callAsOf, CallAsOfStateSchema, type CallAsOf, type CallAsOfState } from './call-as-of.ts';
export { conferenceAsOf, ConferenceAsOfStateSchema, type ConferenceAsOf, type ConferenceAsOfState } from './conference-as-of.ts';
export { NotFoundAtInstantError } from './not-found-at-instant-error.ts';
export { describeRouting, routingFromFold, RoutingAsOfStateSchema, type RoutingAsOf, type RoutingAsOfState } from './routing-as-of.ts';
export { UnknownUserAtInstantError } from './unknown-user-at-instant-error.ts';
export { userAsOf, userFromFold, UserAsOfStateSchema, type UserAsOf, type UserAsOfOptions, type UserAsOfState } from './user-as-of.ts';
