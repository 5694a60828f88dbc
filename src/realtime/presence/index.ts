/** The presence server (PUBLISH, SUBSCRIBE/NOTIFY for `presence`) and the PIDF codec it speaks. */
export * from './pidf.ts';
export { DomainWatcherPolicy, type DomainWatcherPolicyOptions } from './domain-watcher-policy.ts';
export { EventStorePresenceCommands, type EventStorePresenceCommandsOptions } from './event-store-presence-commands.ts';
export { PresenceNotifier, subscriptionIdOf, type PresenceNotifierOptions } from './presence-notifier.ts';
export type {
  BindingFlows,
  BindingSource,
  NotifySender,
  PresenceAuthenticator,
  PresenceChanges,
  PresenceCommand,
  PresenceCommandSink,
  PresenceSource,
  Scheduler,
} from './presence-ports.ts';
export { PresenceServer, type PresenceServerOptions } from './presence-server.ts';
export { PublishHandler, type PublishHandlerOptions } from './publish-handler.ts';
export { presenceSourceOf } from './view-presence-source.ts';
export type { WatcherDecision, WatcherPolicy } from './watcher-policy.ts';
