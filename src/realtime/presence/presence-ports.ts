import type { CommandMetadata } from '../../commands/command-handler.ts';
import type { UserCommandOf } from '../../commands/user/user-commands.ts';
import type { UserEvent } from '../../commands/user/user-state.ts';
import type { Binding } from '../../projections/location/binding.ts';
import type { PresenceReader } from '../../projections/presence/presence-reader.ts';
import type { ViewChange } from '../../projections/framework/in-memory-view.ts';
import type { AuthIdentity, AuthOutcome, AuthRequest, AuthRole } from '../auth/digest-authenticator.ts';
import type { SignalingEngine } from '../engine/signaling-engine.ts';

/**
 * The small interfaces the presence server is built on, so it can be wired to
 * the real engine, views and store, or to anything else that keeps the same
 * promises.
 */

/** What the presence server sends through: only origination (NOTIFY). */
export type NotifySender = Pick<SignalingEngine, 'sendRequest'>;

/** Digest authentication; DigestAuthenticator provides it. */
export interface PresenceAuthenticator {
  authenticate(request: AuthRequest, identity: AuthIdentity, role: AuthRole): AuthOutcome;
}

/** The presence view's change feed: an InMemoryView<…, string> satisfies it. */
export interface PresenceChanges {
  on(event: 'changed', listener: (change: ViewChange<string>) => void): unknown;
  off(event: 'changed', listener: (change: ViewChange<string>) => void): unknown;
}

/** Presence as the view holds it, plus the publication index a conditional PUBLISH needs. */
export interface PresenceSource extends PresenceReader {
  /**
   * The endpoint whose live publication carries this entity tag, if the view
   * knows it. The view may lag the log by a batch: a miss is not proof the tag
   * is unknown (the decider, which reads the log, has the last word).
   */
  endpointOfEtag(sipUri: string, etag: string): string | undefined;
}

/** The location view's bindings (LocationReader satisfies it). */
export interface BindingSource {
  liveContacts(aor: string, now: string): readonly Binding[];
}

/** The node-local flow of a binding (the registrar's FlowTable satisfies it). */
export interface BindingFlows {
  flowOf(endpointId: string): { readonly flowId: string } | undefined;
}

/** The user commands the presence server issues. */
export type PresenceCommand =
  | UserCommandOf<'PublishPresence'>
  | UserCommandOf<'WithdrawPresence'>
  | UserCommandOf<'SubscribeWatcher'>
  | UserCommandOf<'UnsubscribeWatcher'>
  | UserCommandOf<'SweepExpired'>;

/**
 * Where commands go. `execute` resolves once the events are durable (or there
 * were none) and rejects with the decider's DomainError when a rule refuses,
 * having written nothing.
 */
export interface PresenceCommandSink {
  execute(sipUri: string, command: PresenceCommand, metadata: CommandMetadata): Promise<readonly UserEvent[]>;
}

/** Timers, injectable so a test can drive expiry. Default: the global ones. */
export interface Scheduler {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
