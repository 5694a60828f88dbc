/**
 * What verification can find wrong, at a log position:
 * - `modified`: the event at this position is not the one chained here (its content, or its id, changed);
 * - `deleted`: the event chained at this position is gone (with or without its chain row);
 * - `reordered`: the event here was chained at another position (rows were moved);
 * - `inserted`: an event at a position the chain skipped (added behind the keeper's back);
 * - `chain_altered`: the event is intact but its chain row does not link to the previous one;
 * - `checkpoint_mismatch`: the chain here differs from what was signed (events AND chain rewritten);
 * - `bad_signature`: a checkpoint's signature does not verify (forged or altered checkpoint);
 * - `untrusted_key`: a checkpoint is signed by a key that is not trusted (or not known);
 * - `truncated`: a checkpoint names a position past the end of the chain (the tail was removed).
 */
export const AUDIT_PROBLEM_KINDS = [
  'modified',
  'deleted',
  'reordered',
  'inserted',
  'chain_altered',
  'checkpoint_mismatch',
  'bad_signature',
  'untrusted_key',
  'truncated',
] as const;
export type AuditProblemKind = (typeof AUDIT_PROBLEM_KINDS)[number];

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  readonly position: bigint;
  readonly detail: string;
}
