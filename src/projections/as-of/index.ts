/** As-of reads: the domain's state at a past instant, rebuilt from the log with the views' own reducers. */
export { UnknownUserAtInstantError } from './unknown-user-at-instant-error.ts';
export { userAsOf, UserAsOfStateSchema, type UserAsOf, type UserAsOfOptions, type UserAsOfState } from './user-as-of.ts';
