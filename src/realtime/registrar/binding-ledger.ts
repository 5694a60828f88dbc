import type { CommandMetadata } from '../../commands/command-handler.ts';
import type { UserCommandOf } from '../../commands/user/user-commands.ts';
import type { UserEvent } from '../../commands/user/user-state.ts';
import type { SipTransport } from '../../events/domain/primitives.ts';

/** What a REGISTER turns into: the user decider's own commands. */
export type BindingCommand = UserCommandOf<'RegisterEndpoint'> | UserCommandOf<'UnregisterEndpoint'>;

/** A live binding of an AOR, as the 200 OK lists it. */
export type CurrentBinding = {
  readonly endpointId: string;
  readonly contact: string;
  readonly instanceId: string | null;
  readonly transport: SipTransport;
  readonly sourceAddress: string;
  readonly expiresAt: string;
};

export type LedgerOutcome = {
  /** The events appended (already durable), in order; empty when nothing changed. */
  readonly events: readonly UserEvent[];
  /** Every binding still live after them. */
  readonly bindings: readonly CurrentBinding[];
  /** The instant the bindings were judged live at, ISO-8601. */
  readonly at: string;
};

/**
 * Where registrations are decided and recorded. `apply` resolves only once the
 * events are durably appended, and applies all commands or none (RFC 3261
 * §10.3 step 7: every binding change of one REGISTER commits together). A
 * refused command rejects with the decider's DomainError and writes nothing.
 */
export interface BindingLedger {
  apply(aor: string, commands: readonly BindingCommand[], metadata: CommandMetadata): Promise<LedgerOutcome>;
  /** SweepExpired on one user: writes endpoint.expired (and the other lapses) that are due. Resolves with the events written. */
  sweep(aor: string, metadata: CommandMetadata): Promise<readonly UserEvent[]>;
}
