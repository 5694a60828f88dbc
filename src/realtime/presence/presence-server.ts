import type { Logger } from 'pino';
import { logger as moduleLogger } from '../../logging/logger.ts';
import type { InboundRequest } from '../engine/signaling-engine.ts';
import { PresenceNotifier, type PresenceNotifierOptions } from './presence-notifier.ts';
import type { BindingFlows, BindingSource } from './presence-ports.ts';
import { PublishHandler } from './publish-handler.ts';

export type PresenceServerOptions = PresenceNotifierOptions & {
  /** The location view: which registered endpoint a PUBLISH comes from. */
  readonly bindings: BindingSource;
  /** The registrar's flow table on this node. Default: none. */
  readonly flows?: BindingFlows;
  /** PUBLISH lifetimes; default to the SUBSCRIBE ones (60 / 3600 / 86 400 s). */
  readonly publishMinExpires?: number;
  readonly publishDefaultExpires?: number;
  readonly publishMaxExpires?: number;
};

/**
 * The presence server: PUBLISH (RFC 3903) and SUBSCRIBE/NOTIFY (RFC 6665) for
 * the `presence` event package (RFC 3856). The front end hands it every
 * PUBLISH, SUBSCRIBE and NOTIFY; anything else is answered 405.
 */
export class PresenceServer {
  readonly #publish: PublishHandler;
  readonly #notifier: PresenceNotifier;
  readonly #log: Logger;
  #closing: Promise<void> | undefined;

  constructor(options: PresenceServerOptions) {
    this.#log = options.logger ?? moduleLogger('presence-server');
    this.#notifier = new PresenceNotifier({ ...options, logger: this.#log });
    this.#publish = new PublishHandler({
      authenticator: options.authenticator,
      commands: options.commands,
      presence: options.presence,
      bindings: options.bindings,
      ...(options.flows ? { flows: options.flows } : {}),
      minExpires: options.publishMinExpires ?? options.minExpires ?? 60,
      defaultExpires: options.publishDefaultExpires ?? options.defaultExpires ?? 3600,
      maxExpires: options.publishMaxExpires ?? options.maxExpires ?? 86_400,
      ...(options.nodeId !== undefined ? { nodeId: options.nodeId } : {}),
      ...(options.now ? { now: options.now } : {}),
      logger: this.#log,
    });
  }

  /** Methods this server answers, for the front end's dispatch (NOTIFY only ever gets 481). */
  static readonly METHODS: readonly string[] = ['PUBLISH', 'SUBSCRIBE', 'NOTIFY'];

  /** Subscriptions held on this node. */
  get subscriptions(): number {
    return this.#notifier.size;
  }

  /** Answers one request; resolves once answered. Never rejects. */
  async handle(request: InboundRequest): Promise<void> {
    if (this.#closing) {
      request.reply(503, 'Shutting Down', { headers: [['Retry-After', '5']] });
      return;
    }
    switch (request.message.method) {
      case 'PUBLISH':
        return this.#publish.handle(request);
      case 'SUBSCRIBE':
        return this.#notifier.handle(request);
      case 'NOTIFY':
        // This server only notifies; it holds no subscription a NOTIFY could belong to (RFC 6665 §4.1.3).
        request.reply(481, 'Subscription Does Not Exist');
        return;
      default:
        request.reply(405, undefined, { headers: [['Allow', 'PUBLISH, SUBSCRIBE']] });
    }
  }

  /** Idempotent: ends every subscription (final NOTIFYs) and stops its timers. */
  close(): Promise<void> {
    this.#closing ??= this.#notifier.close();
    return this.#closing;
  }
}
