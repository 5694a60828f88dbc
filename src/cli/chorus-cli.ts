import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { IsoInstantSchema, SipUriSchema, TelUriSchema } from '../events/domain/primitives.ts';
import { AddUserRequestSchema } from '../api/contract/users-contract.ts';
import { ProjectionNameSchema, type ProjectionsStatus } from '../api/contract/projections-contract.ts';
import { ConfigError } from '../config/config.ts';
import { chorusVersion } from '../edition/chorus-version.ts';
import { EDITION_ROLES } from '../edition/edition-role.ts';
import { ProjectionError } from '../projections/framework/errors.ts';
import { ChorusApiClient } from './api-client.ts';
import { ApiProtocolError, ApiRequestError, ApiUnreachableError } from './api-client-errors.ts';
import type { OfflineBackend, OfflineBackendOpener } from './chorus-backend.ts';
import { validateCommandInput } from './cli-arguments.ts';
import { CliEnvironmentError, loadCliEnvironment } from './cli-environment.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { OfflineUnavailableError } from './offline-errors.ts';
import { addPrivacyCommands } from './privacy-commands.ts';
import { RemoteRebuildError, watchRemoteRebuild } from './online-rebuild.ts';
import { EventProgress, type ProgressReport } from './progress.ts';
import { formatReplay } from './format-replay.ts';
import { formatAnalytics } from './format-analytics.ts';
import { ANALYTICS_REPORTS, AnalyticsQueryFields, AnalyticsReportSchema, checkAnalyticsRange } from '../api/contract/analytics-contract.ts';
import { UnknownUserAtInstantError } from '../projections/as-of/index.ts';
import { registerAuditCommands } from './audit-commands.ts';
import { asOfCommands } from './as-of-commands.ts';
import type { AuditDatabaseOpener } from './audit-database.ts';
import { registerAuditVerifyCommand } from './audit-verify-command.ts';
import type { OfflineLogOpener } from './offline-log.ts';

export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /**
   * Offline mode: how replay and the projection commands reach the event log
   * when no server answers (src/cli/main.ts passes the real one). Undefined:
   * those commands fail with "no Chorus server answers".
   */
  readonly openOfflineBackend?: OfflineBackendOpener;
  /** Between two polls of a server's rebuild. Default 500 ms. */
  readonly rebuildPollIntervalMs?: number;
  /** How `timeline` and `export` open the log when no server answers (src/cli/main.ts passes the real one). Undefined: they need a server. */
  readonly openOfflineLog?: OfflineLogOpener;
  /** How `audit verify` opens the log's database when no server answers (src/cli/main.ts passes the real one). Undefined: it needs a server. */
  readonly openAuditDatabase?: AuditDatabaseOpener;
}

const HELP_FOOTER = `
Environment:
  CHORUS_URL          server to talk to (default http://127.0.0.1:8080)
  CHORUS_ADMIN_TOKEN  the server's admin token
  serve reads the server configuration (HTTP_PORT, CHORUS_STORE, ...) instead.
  When no server answers at CHORUS_URL, \`projections status|rebuild\` work on the
  log itself, named by the server's variables (CHORUS_STORE, CHORUS_DATA_DIR,
  DATABASE_URL); a PGlite directory another process has open is refused.

Exit codes: 0 done, 1 failed, 2 bad command line (nothing was done).`;

const UserAddInputSchema = z.object({
  sipUri: SipUriSchema,
  password: AddUserRequestSchema.shape.password,
  lineUri: TelUriSchema.optional(),
});

const ReplayInputSchema = z.object({ user: SipUriSchema, at: IsoInstantSchema });

const RebuildInputSchema = z.object({ name: ProjectionNameSchema });

const AnalyticsInputSchema = z.object({ report: AnalyticsReportSchema, ...AnalyticsQueryFields }).superRefine(checkAnalyticsRange);

const ServeInputSchema = z.object({ role: z.enum(EDITION_ROLES) });

function formatProjections(status: ProjectionsStatus): string {
  const rows = [['PROJECTION', 'STATUS', 'POSITION', 'LAG'], ...status.projections.map((p) => [p.name, p.status, p.position, String(p.lag)])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  const errors = status.projections.flatMap((p) => {
    const error = ProjectionErrorFieldSchema.safeParse(p);
    return error.success ? [`${p.name}: ${error.data.error}`] : [];
  });
  return `log head ${status.headPosition}\n${[...lines, ...errors].join('\n')}\n`;
}

/** A failed projection's status may carry its error (the contract's objects are loose). */
const ProjectionErrorFieldSchema = z.object({ error: z.string().min(1) });

type CliFailure =
  | ApiUnreachableError
  | ApiRequestError
  | ApiProtocolError
  | CliEnvironmentError
  | ConfigError
  | OfflineUnavailableError
  | ProjectionError
  | RemoteRebuildError
  | UnknownUserAtInstantError;

function isCliFailure(error: unknown): error is CliFailure {
  return (
    error instanceof ApiUnreachableError ||
    error instanceof ApiRequestError ||
    error instanceof ApiProtocolError ||
    error instanceof CliEnvironmentError ||
    error instanceof ConfigError ||
    error instanceof OfflineUnavailableError ||
    error instanceof ProjectionError ||
    error instanceof RemoteRebuildError ||
    error instanceof UnknownUserAtInstantError
  );
}

/** One line (plus issues) for a failure the user can act on. */
function describeFailure(error: CliFailure): string {
  if (error instanceof ApiUnreachableError)
    return `${error.message}; start one with \`chorus serve\` or point CHORUS_URL at one`;
  if (error instanceof ApiRequestError) {
    if (error.status === 401) return `${error.message}; set CHORUS_ADMIN_TOKEN to the server's admin token`;
    if (error.status === 404 && error.body?.error === 'not_found')
      return `${error.message}; this server does not offer the operation (is it an older version?)`;
    const issues = (error.body?.issues ?? []).map((i) => `\n  ${i.path || '(request)'}: ${i.message}`).join('');
    return error.message + issues;
  }
  return error.message;
}

/**
 * Runs `chorus <args>` and resolves to the exit code. `args` excludes the node
 * binary and script. Bad command lines end with usage on stderr and exit 2
 * before any action runs.
 */
export async function runChorusCli(args: readonly string[], context: CliContext): Promise<number> {
  const { env, stdout, stderr } = context;
  let exitCode = EXIT_OK;

  const client = (): ChorusApiClient => {
    const cliEnv = loadCliEnvironment(env);
    return new ChorusApiClient({
      baseUrl: cliEnv.url,
      ...(cliEnv.adminToken === undefined ? {} : { adminToken: cliEnv.adminToken }),
    });
  };

  /**
   * Online first; only when no server answers, the offline backend if one is
   * wired. The order matters: a running server owns the log (PGlite is
   * single-process), so an administrator never has to stop it.
   */
  const onlineOrOffline = async <T>(
    online: (api: ChorusApiClient) => Promise<T>,
    offline: (backend: OfflineBackend) => Promise<T>,
  ): Promise<T> => {
    const api = client();
    try {
      return await online(api);
    } catch (error) {
      if (!(error instanceof ApiUnreachableError) || context.openOfflineBackend === undefined) throw error;
      const backend = await context.openOfflineBackend(env);
      try {
        return await offline(backend);
      } finally {
        await backend.close();
      }
    }
  };

  /** A progress bar on stderr, drawn from the first measurement on (before it the total is unknown). */
  const rebuildProgress = (name: string): { report: (r: ProgressReport) => void; stop: () => void } => {
    let bar: EventProgress | null = null;
    return {
      report: (r) => {
        bar ??= new EventProgress({ label: `rebuild ${name}`, total: r.total, stream: stderr });
        bar.report(r);
      },
      stop: () => bar?.stop(),
    };
  };

  const program = new Command('chorus')
    .description('Chorus unified-communications server: run it, or administer a running one')
    .version(chorusVersion())
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
    })
    // Throw instead of process.exit so exit codes stay ours (2 for usage) and tests can run in-process.
    .exitOverride()
    .showHelpAfterError()
    .addHelpText('after', HELP_FOOTER);

  program
    .command('serve')
    .description('run the Standard Edition (HTTP API, SIP, projections) until SIGINT/SIGTERM')
    .addOption(new Option('--role <role>', 'which parts of the pool to run').choices(EDITION_ROLES).default('all'))
    .action(async function (this: Command, options: Record<string, unknown>) {
      const input = validateCommandInput(this, ServeInputSchema, { role: options['role'] }, { role: '--role' });
      // Loaded on demand: the server's dependencies would double the start-up time of every admin command.
      const { runStandardEditionProcess } = await import('../edition/standard-edition-process.ts');
      exitCode = await runStandardEditionProcess({ env, role: input.role, stderr });
    });

  const user = program.command('user').description('manage users');
  user
    .command('add')
    .description('create a user (an address of record with its SIP password)')
    .argument('<sip-uri>', 'address of record, sip:user@domain')
    .requiredOption('--password <pw>', 'SIP digest password')
    .option('--line <tel>', 'Enterprise Voice line URI, tel:+E164')
    .action(async function (this: Command, sipUri: unknown, options: Record<string, unknown>) {
      const input = validateCommandInput(
        this,
        UserAddInputSchema,
        { sipUri, password: options['password'], lineUri: options['line'] },
        { sipUri: '<sip-uri>', password: '--password', lineUri: '--line' },
      );
      const created = await client().addUser(input);
      stdout.write(`added ${created.sipUri}${created.lineUri === undefined ? '' : ` with line ${created.lineUri}`}\n`);
    });
  addPrivacyCommands(user, { env, stdout });

  const asOf = asOfCommands({
    env,
    stdout,
    stderr,
    ...(context.openOfflineLog === undefined ? {} : { openOfflineLog: context.openOfflineLog }),
    fail: (code) => {
      exitCode = code;
    },
  });
  program
    .command('replay')
    .description('show a user, a conference, a call or the routing configuration as it was at an instant, rebuilt from the event log')
    .option('--user <sip-uri>', 'address of record, sip:user@domain')
    .option('--conference <id>', 'conference id: roster, lock and roles')
    .option('--call <sip-call-id>', "a call's SIP Call-ID: its legs and state")
    .option('--routing', 'dial plans, voice policies, PSTN routes, gateways and per-user forwarding')
    .requiredOption('--at <instant>', 'ISO-8601 instant with offset, e.g. 2025-01-31T09:00:00Z')
    .option('--json', 'print the answer as JSON')
    .action(async function (this: Command, options: Record<string, unknown>) {
      if (options['user'] === undefined) return asOf.replayOther(this, options);
      if (options['conference'] !== undefined || options['call'] !== undefined || options['routing'] !== undefined)
        return this.error('error: give exactly one of --user, --conference, --call or --routing', { exitCode: EXIT_USAGE, code: 'chorus.invalidArgument' });
      const input = validateCommandInput(
        this,
        ReplayInputSchema,
        { user: options['user'], at: options['at'] },
        { user: '--user', at: '--at' },
      );
      const result = await onlineOrOffline(
        (api) => api.replay(input),
        (backend) => backend.replay(input),
      );
      stdout.write(options['json'] === true ? `${JSON.stringify(result, null, 2)}\n` : formatReplay(result));
    });

  program
    .command('analytics')
    .description('an analytics report from the running server: ' + ANALYTICS_REPORTS.join(', '))
    .argument('<report>', ANALYTICS_REPORTS.join(' | '))
    .requiredOption('--from <instant>', 'inclusive start, ISO-8601 with offset')
    .requiredOption('--to <instant>', 'exclusive end, ISO-8601 with offset')
    .option('--user <sip-uri>', 'only this user (presence-time, im-volume)')
    .option('--as-of <instant>', "what counts as now for states still open (default: the server's clock)")
    .option('--json', 'print the answer as JSON')
    .action(async function (this: Command, report: unknown, options: Record<string, unknown>) {
      const input = validateCommandInput(
        this,
        AnalyticsInputSchema,
        { report, from: options['from'], to: options['to'], user: options['user'], asOf: options['asOf'] },
        { report: '<report>', from: '--from', to: '--to', user: '--user', asOf: '--as-of' },
      );
      const { report: name, ...query } = input;
      const answer = await client().analytics(name, query);
      stdout.write(options['json'] === true ? `${JSON.stringify(answer, null, 2)}\n` : formatAnalytics(answer));
    });

  const projections = program.command('projections').description('inspect and rebuild read models');
  projections
    .command('status')
    .description('checkpoint and lag of every projection')
    .action(async () => {
      const status = await onlineOrOffline(
        (api) => api.projectionsStatus(),
        (backend) => backend.projectionsStatus(),
      );
      stdout.write(formatProjections(status));
    });
  projections
    .command('rebuild')
    .description('rebuild one projection from the start of the log, showing progress; returns when it is done')
    .argument('<name>', 'projection name')
    .action(async function (this: Command, name: unknown) {
      const input = validateCommandInput(this, RebuildInputSchema, { name }, { name: '<name>' });
      const progress = rebuildProgress(input.name);
      let position: string;
      try {
        position = await onlineOrOffline(
          async (api) => {
            // The POST is the call that finds out whether a server answers; polling starts once it accepted.
            await api.rebuildProjection(input.name);
            return watchRemoteRebuild({
              status: () => api.projectionsStatus(),
              name: input.name,
              onProgress: progress.report,
              ...(context.rebuildPollIntervalMs === undefined ? {} : { intervalMs: context.rebuildPollIntervalMs }),
            });
          },
          async (backend) => {
            const result = await backend.rebuildProjection(input.name, (p) =>
              progress.report({
                done: Number(p.position),
                total: Number(p.head),
                eventsPerSecond: p.eventsPerSecond,
                etaSeconds: p.etaSeconds,
              }),
            );
            return String(result.position);
          },
        );
      } finally {
        progress.stop();
      }
      stdout.write(`rebuild of ${input.name}: done at position ${position}\n`);
    });

  registerAuditVerifyCommand(program, {
    env,
    stdout,
    stderr,
    ...(context.openAuditDatabase === undefined ? {} : { openAuditDatabase: context.openAuditDatabase }),
    fail: (code) => {
      exitCode = code;
    },
  });

  asOf.register(program);

  registerAuditCommands(program, {
    env,
    stdout,
    stderr,
    ...(context.openOfflineLog === undefined ? {} : { openOfflineLog: context.openOfflineLog }),
    fail: (code) => {
      exitCode = code;
    },
  });

  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has already printed its message (and the usage); only the code is left to decide.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (isCliFailure(error)) {
      stderr.write(`chorus: ${describeFailure(error)}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}
