import type { CommandMetadata } from '../../commands/command-handler.ts';
import type { CallCommand } from '../../commands/call/call-commands.ts';

/** One call command as the router issues it. */
export type CallCommandRequest = {
  /** The SIP Call-ID: the call's stream is `call-<Call-ID>`. */
  readonly sipCallId: string;
  readonly command: CallCommand;
  /**
   * When the SIP step happened. The decision is stamped with it, not with the
   * append's instant, so a slow store never stretches a call's duration.
   */
  readonly at: Date;
  readonly metadata: CommandMetadata;
};

/**
 * Where call commands go: decided and appended to the call's stream. Rejects on
 * any failure (DomainError, store down); the CallEventRecorder retries, logs
 * and counts.
 */
export interface CallCommandSink {
  execute(request: CallCommandRequest): Promise<void>;
}
