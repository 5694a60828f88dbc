/**
 * Points where tests may slow or break an adapter to prove its guarantees
 * (e.g. a transaction that stays open while others commit). Production code
 * never sets these; every adapter accepts them so one contract suite can drive all.
 */
export interface FaultHooks {
  /** Awaited inside the append's transaction, after the events are written and before COMMIT. */
  readonly beforeCommit?: (streamId: string) => Promise<void>;
}
