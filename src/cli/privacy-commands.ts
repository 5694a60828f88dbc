import type { Command } from 'commander';
import { z } from 'zod';
import { LegalHoldReasonSchema } from '../events/domain/privacy-events.ts';
import { SipUriSchema } from '../events/domain/primitives.ts';
import { validateCommandInput } from './cli-arguments.ts';
import { loadCliEnvironment } from './cli-environment.ts';
import { PrivacyApiClient } from './privacy-api-client.ts';

export interface PrivacyCommandsContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
}

const ForgetInputSchema = z.object({ sipUri: SipUriSchema });
const HoldInputSchema = z.object({ sipUri: SipUriSchema, reason: LegalHoldReasonSchema });

/**
 * `chorus user forget|hold|release <sip-uri>`, added to the `user`
 * command. They need a running server (like `user add`): erasure must go
 * through the process that owns the log and the key cache. A refusal (held
 * user, unknown user) is an ApiRequestError, which the CLI reports with exit 1.
 */
export function addPrivacyCommands(user: Command, context: PrivacyCommandsContext): void {
  const client = (): PrivacyApiClient => {
    const cliEnv = loadCliEnvironment(context.env);
    return new PrivacyApiClient({ baseUrl: cliEnv.url, ...(cliEnv.adminToken === undefined ? {} : { adminToken: cliEnv.adminToken }) });
  };

  user
    .command('forget')
    .description("erase a user's personal data (destroys their data keys; refused under legal hold)")
    .argument('<sip-uri>', 'address of record, sip:user@domain')
    .action(async function (this: Command, sipUri: unknown) {
      const input = validateCommandInput(this, ForgetInputSchema, { sipUri }, { sipUri: '<sip-uri>' });
      const done = await client().forget(input.sipUri);
      context.stdout.write(
        done.written || done.keysDestroyed > 0
          ? `forgot ${input.sipUri}: ${done.keysDestroyed} data key(s) destroyed at position ${done.position}; rebuild projections to erase their copies\n`
          : `${input.sipUri} was already forgotten; nothing to destroy\n`,
      );
    });

  user
    .command('hold')
    .description('place a legal hold on a user (they cannot be forgotten while held)')
    .argument('<sip-uri>', 'address of record, sip:user@domain')
    .requiredOption('--reason <text>', 'case or ticket reference (kept in clear; no personal data)')
    .action(async function (this: Command, sipUri: unknown, options: Record<string, unknown>) {
      const input = validateCommandInput(this, HoldInputSchema, { sipUri, reason: options['reason'] }, { sipUri: '<sip-uri>', reason: '--reason' });
      const done = await client().placeHold(input.sipUri, input.reason);
      context.stdout.write(done.written ? `${input.sipUri} is on legal hold (position ${done.position})\n` : `${input.sipUri} was already on legal hold\n`);
    });

  user
    .command('release')
    .description("release a user's legal hold")
    .argument('<sip-uri>', 'address of record, sip:user@domain')
    .requiredOption('--reason <text>', 'case or ticket reference (kept in clear; no personal data)')
    .action(async function (this: Command, sipUri: unknown, options: Record<string, unknown>) {
      const input = validateCommandInput(this, HoldInputSchema, { sipUri, reason: options['reason'] }, { sipUri: '<sip-uri>', reason: '--reason' });
      const done = await client().releaseHold(input.sipUri, input.reason);
      context.stdout.write(`released the legal hold on ${input.sipUri} (position ${done.position})\n`);
    });
}
