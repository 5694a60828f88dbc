import type { Command } from 'commander';
import { AuditVerifyQuerySchema, toAuditVerifyResult, type AuditVerifyResult } from '../api/contract/audit-contract.ts';
import { AuditUnavailableError } from '../audit/audit-unavailable-error.ts';
import { verifyAuditLog } from '../audit/audit-verifier.ts';
import { ApiUnreachableError } from './api-client-errors.ts';
import type { AuditDatabaseOpener } from './audit-database.ts';
import { AuditVerifyClient, AuditVerifyTimeoutError } from './audit-verify-client.ts';
import { validateCommandInput } from './cli-arguments.ts';
import { loadCliEnvironment } from './cli-environment.ts';
import { EXIT_FAILURE } from './exit-codes.ts';
import { EventProgress } from './progress.ts';

export interface AuditVerifyCommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Opens the log's database when no server answers; undefined: verification needs a server. */
  readonly openAuditDatabase?: AuditDatabaseOpener;
  /** Sets the exit code: 1 when tampering was found or verification could not run. */
  readonly fail: (exitCode: number) => void;
}

/** Problems listed after the first one in text output (all of them are in --json). */
const LISTED_PROBLEMS = 10;

function formatVerification(r: AuditVerifyResult): string {
  const lines = [
    `audit verify: positions ${r.from}..${r.to} (chain head ${r.chainHead}, log head ${r.logHead})`,
    `  events checked ${r.eventsChecked}, checkpoints verified ${r.checkpointsChecked}` +
      `${r.lastGoodCheckpoint === null ? '' : ` (last good at ${r.lastGoodCheckpoint})`}, signatures against ${r.trust === 'configured' ? 'configured keys' : 'keys recorded in the log'}`,
  ];
  if (r.firstProblem === null) lines.push('OK: no tampering found');
  else {
    lines.push(`TAMPERED: first problem at position ${r.firstProblem.position}: ${r.firstProblem.kind} — ${r.firstProblem.detail}`);
    for (const p of r.problems.slice(1, 1 + LISTED_PROBLEMS)) lines.push(`  then at ${p.position}: ${p.kind} — ${p.detail}`);
    const more = r.problemCount - Math.min(r.problems.length, 1 + LISTED_PROBLEMS);
    if (more > 0) lines.push(`  … and ${more} more (--json lists up to ${r.problems.length})`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `chorus audit verify [--from] [--to] [--json]` (docs/audit.md): on the server
 * when one answers, on the log's database otherwise (with a progress bar).
 * Exit 0: intact; 1: tampering found (the first position is printed) or the
 * check could not run; 2: bad arguments (nothing was read).
 */
export function registerAuditVerifyCommand(program: Command, context: AuditVerifyCommandContext): void {
  const { env, stdout, stderr } = context;
  const audit = program.command('audit').description('tamper-evident audit of the event log');
  audit
    .command('verify')
    .description('recompute the hash chain from the events and check the signed checkpoints; exit 1 when tampered')
    .option('--from <position>', 'first log position to check (default 1)')
    .option('--to <position>', 'last log position to check (default: the head of the chain)')
    .option('--json', 'print the verdict as JSON')
    .action(async function (this: Command, options: Record<string, unknown>) {
      const query = validateCommandInput(
        this,
        AuditVerifyQuerySchema,
        { from: options['from'], to: options['to'] },
        { from: '--from', to: '--to' },
      );
      const cliEnv = loadCliEnvironment(env);
      const api = new AuditVerifyClient({ baseUrl: cliEnv.url, ...(cliEnv.adminToken === undefined ? {} : { adminToken: cliEnv.adminToken }) });
      let result: AuditVerifyResult;
      try {
        result = await api.verify(query);
      } catch (error) {
        if (error instanceof AuditVerifyTimeoutError) {
          stderr.write(`chorus: ${error.message}\n`);
          context.fail(EXIT_FAILURE);
          return;
        }
        if (!(error instanceof ApiUnreachableError) || context.openAuditDatabase === undefined) throw error;
        const database = await context.openAuditDatabase(env);
        let bar: EventProgress | null = null;
        try {
          const report = await verifyAuditLog(database.client, {
            trustedKeys: database.trustedKeys,
            ...(query.from === undefined ? {} : { from: BigInt(query.from) }),
            ...(query.to === undefined ? {} : { to: BigInt(query.to) }),
            onProgress: (p) => {
              bar ??= new EventProgress({ label: 'audit verify', total: p.total, stream: stderr });
              bar.report({ done: p.done, total: p.total });
            },
          });
          result = toAuditVerifyResult(report);
        } catch (failure) {
          if (!(failure instanceof AuditUnavailableError)) throw failure;
          stderr.write(`chorus: ${failure.message}\n`);
          context.fail(EXIT_FAILURE);
          return;
        } finally {
          (bar as EventProgress | null)?.stop();
          await database.close();
        }
      }
      for (const warning of result.warnings) stderr.write(`warning: ${warning}\n`);
      stdout.write(options['json'] === true ? `${JSON.stringify(result, null, 2)}\n` : formatVerification(result));
      if (!result.ok) context.fail(EXIT_FAILURE);
    });
}
