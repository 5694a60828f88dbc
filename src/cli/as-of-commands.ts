import type { Command } from 'commander';
import { z } from 'zod';
import { UnknownProposedUserError } from '../compliance/what-if/proposed-routing-config.ts';
import { SipCallIdSchema } from '../events/domain/call-events.ts';
import { ConferenceIdSchema } from '../events/domain/conference-events.ts';
import { IsoInstantSchema } from '../events/domain/primitives.ts';
import { NotFoundAtInstantError } from '../projections/as-of/index.ts';
import { ChorusApiClient } from './api-client.ts';
import { ApiUnreachableError } from './api-client-errors.ts';
import { localAsOfBackend, type AsOfBackend } from './as-of-backend.ts';
import { validateCommandInput } from './cli-arguments.ts';
import { loadCliEnvironment } from './cli-environment.ts';
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.ts';
import { formatCallReplay, formatConferenceReplay, formatRoutingReplay } from './format-as-of.ts';
import { formatWhatIf } from './format-what-if.ts';
import type { OfflineLogOpener } from './offline-log.ts';
import { ProposedConfigFileError, readProposedConfigFile } from './proposed-config-file.ts';

export interface AsOfCommandsContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Opens the log when no server answers; undefined: these commands need a server. */
  readonly openOfflineLog?: OfflineLogOpener;
  /** Sets the process exit code (1 when the log holds no such conference or call). */
  readonly fail: (exitCode: number) => void;
}

/** What `chorus replay` may be asked about besides a user: exactly one target. */
const ReplayTargetSchema = z
  .object({
    conference: ConferenceIdSchema.optional(),
    call: SipCallIdSchema.optional(),
    routing: z.boolean().optional(),
    at: IsoInstantSchema,
  })
  .superRefine((input, ctx) => {
    const given = [input.conference !== undefined, input.call !== undefined, input.routing === true].filter(Boolean).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', path: ['conference'], message: 'give exactly one of --user, --conference, --call or --routing' });
  });

const WhatIfInputSchema = z.object({ callId: SipCallIdSchema, config: z.string().min(1).optional() });

/**
 * `chorus replay --conference|--call|--routing` (the `--user` form is
 * chorus-cli's) and `chorus whatif`. Online first; with no server, on the log
 * itself (scanning it: offline there is no snapshot table to use).
 */
export function asOfCommands(context: AsOfCommandsContext) {
  const { env, stdout, stderr } = context;

  const run = async <T>(ask: (backend: AsOfBackend) => Promise<T>): Promise<T | undefined> => {
    try {
      try {
        const cliEnv = loadCliEnvironment(env);
        return await ask(new ChorusApiClient({ baseUrl: cliEnv.url, ...(cliEnv.adminToken === undefined ? {} : { adminToken: cliEnv.adminToken }) }));
      } catch (error) {
        if (!(error instanceof ApiUnreachableError) || context.openOfflineLog === undefined) throw error;
        const log = await context.openOfflineLog(env);
        try {
          return await ask(localAsOfBackend(log.store));
        } finally {
          await log.close();
        }
      }
    } catch (error) {
      // Offline answers for an unknown id; online ones arrive as ApiRequestError (404), which chorus reports itself.
      if (!(error instanceof NotFoundAtInstantError || error instanceof UnknownProposedUserError)) throw error;
      stderr.write(`chorus: ${error.message}\n`);
      context.fail(EXIT_FAILURE);
      return undefined;
    }
  };

  return {
    /** The `replay` action for every target but a user; `command` is `chorus replay`, for its usage. */
    async replayOther(command: Command, options: Record<string, unknown>): Promise<void> {
      const input = validateCommandInput(
        command,
        ReplayTargetSchema,
        { conference: options['conference'], call: options['call'], routing: options['routing'], at: options['at'] },
        { conference: '--user/--conference/--call/--routing', call: '--call', routing: '--routing', at: '--at' },
      );
      const json = options['json'] === true;
      const print = (value: unknown, text: string) => stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text);
      if (input.conference !== undefined) {
        const id = input.conference;
        const r = await run((b) => b.replayConference(id, input.at));
        if (r) print(r, formatConferenceReplay(r));
      } else if (input.call !== undefined) {
        const id = input.call;
        const r = await run((b) => b.replayCall(id, input.at));
        if (r) print(r, formatCallReplay(r));
      } else {
        const r = await run((b) => b.replayRouting(input.at));
        if (r) print(r, formatRoutingReplay(r));
      }
    },

    register(program: Command): void {
      program
        .command('whatif')
        .description("re-run a historical call's routing decision: as of its time (checked against its events) and with the current or a proposed configuration")
        .requiredOption('--call-id <sip-call-id>', "the call's SIP Call-ID")
        .option('--config <file>', 'a proposed routing configuration (.json, .yaml): the voice-config API bodies by name; default: the current configuration')
        .option('--json', 'print the answer as JSON')
        .action(async function (this: Command, options: Record<string, unknown>) {
          const input = validateCommandInput(this, WhatIfInputSchema, { callId: options['callId'], config: options['config'] }, { callId: '--call-id', config: '--config' });
          let proposal;
          try {
            proposal = input.config === undefined ? undefined : await readProposedConfigFile(input.config);
          } catch (error) {
            if (!(error instanceof ProposedConfigFileError)) throw error;
            return this.error(`error: --config: ${error.message}`, { exitCode: EXIT_USAGE, code: 'chorus.invalidArgument' });
          }
          const result = await run((b) => b.whatIf({ sipCallId: input.callId, ...(proposal === undefined ? {} : { config: proposal }) }));
          if (result) stdout.write(options['json'] === true ? `${JSON.stringify(result, null, 2)}\n` : formatWhatIf(result));
        });
    },
  };
}
