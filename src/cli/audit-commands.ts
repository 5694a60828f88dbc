import type { Command } from 'commander';
import { z } from 'zod';
import { ExportFilterSchema, ExportFormatSchema, type ExportFilter, type ExportFormat } from '../compliance/export-filter.ts';
import { writeFileAtomically } from '../compliance/write-file-atomically.ts';
import { ConfigError } from '../config/config.ts';
import { IsoInstantSchema, SipUriSchema } from '../events/domain/primitives.ts';
import type { UnifiedTimelineItem } from '../projections/audit-timeline/unified-timeline-item.ts';
import { MAX_UNIFIED_TIMELINE_PAGE } from '../projections/audit-timeline/unified-timeline-query.ts';
import { WorkloadListSchema } from '../projections/audit-timeline/workload.ts';
import { LogPositionSchema } from '../api/contract/positions.ts';
import type { UnifiedTimelinePageBody } from '../api/contract/unified-timeline-contract.ts';
import { AuditApi } from './audit-api.ts';
import { ApiProtocolError, ApiRequestError, ApiUnreachableError } from './api-client-errors.ts';
import { validateCommandInput } from './cli-arguments.ts';
import { CliEnvironmentError, loadCliEnvironment } from './cli-environment.ts';
import { EXIT_FAILURE } from './exit-codes.ts';
import { OfflineUnavailableError } from './offline-errors.ts';
import type { OfflineLogOpener } from './offline-log.ts';
import { EventProgress } from './progress.ts';

export interface AuditCommandsContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Opens the log when no server answers; undefined: timeline and export need a server. */
  readonly openOfflineLog?: OfflineLogOpener;
  /** Called with 1 when a command failed in a way `chorus` does not describe itself (a file that cannot be written). */
  readonly fail: (exitCode: number) => void;
}

const TimelineInputSchema = z
  .object({
    user: SipUriSchema.optional(),
    from: IsoInstantSchema.optional(),
    to: IsoInstantSchema.optional(),
    workloads: WorkloadListSchema.optional(),
    after: LogPositionSchema.optional(),
    limit: z
      .string()
      .regex(/^[1-9][0-9]{0,6}$/, `must be a whole number from 1 to ${MAX_UNIFIED_TIMELINE_PAGE}`)
      .transform(Number)
      .pipe(z.number().int().max(MAX_UNIFIED_TIMELINE_PAGE))
      .default(100),
  })
  .superRefine((q, ctx) => {
    if (q.user === undefined) {
      if (q.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'required without --user' });
      if (q.to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'required without --user' });
    }
    if (q.from !== undefined && q.to !== undefined && Date.parse(q.to) <= Date.parse(q.from))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than --from (the window is [from, to))' });
  });

const ExportInputSchema = z
  .object({
    format: ExportFormatSchema,
    users: z.array(SipUriSchema).max(1_000),
    from: IsoInstantSchema.optional(),
    to: IsoInstantSchema.optional(),
    workloads: WorkloadListSchema.optional(),
    out: z.string().min(1, 'must name a file'),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && Date.parse(q.to) <= Date.parse(q.from))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than --from (the window is [from, to))' });
  });

/** Failures `chorus` already describes (chorus-cli.ts); anything else is reported here. */
function describedByChorus(error: unknown): boolean {
  return (
    error instanceof ApiUnreachableError ||
    error instanceof ApiRequestError ||
    error instanceof ApiProtocolError ||
    error instanceof CliEnvironmentError ||
    error instanceof ConfigError ||
    error instanceof OfflineUnavailableError
  );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function optional<T>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined ? {} : { [key]: value };
}

function formatItem(item: UnifiedTimelineItem | UnifiedTimelinePageBody['items'][number]): string {
  const parties = item.parties.map((p) => `${p.sipUri} (${p.as.join(', ')})`).join('; ');
  return `${String(item.position).padStart(8)}  ${item.occurredAt}  ${item.workload.padEnd(13)}  ${item.eventType.padEnd(36)}  ${parties || '-'}`;
}

/** Where a streamed export has got to: the position of the last complete event line in the chunk (JSONL and CSV). */
const POSITION_IN_JSONL = /"globalPosition":"(\d+)"/g;
const POSITION_IN_CSV = /(?:^|\n)(\d+),/g;
function lastPosition(format: ExportFormat, text: string): bigint | null {
  const pattern = format === 'jsonl' ? POSITION_IN_JSONL : format === 'csv' ? POSITION_IN_CSV : null;
  if (pattern === null) return null;
  let last: string | undefined;
  for (const m of text.matchAll(pattern)) last = m[1];
  return last === undefined ? null : BigInt(last);
}

/**
 * `chorus timeline` and `chorus export` (issue 6): against the server when one
 * answers, on the log itself otherwise. Bad arguments exit 2 before anything
 * runs; an export writes its file only when it is complete.
 */
export function registerAuditCommands(program: Command, context: AuditCommandsContext): void {
  const { env, stdout, stderr } = context;

  const api = (): AuditApi => {
    const cliEnv = loadCliEnvironment(env);
    return new AuditApi({ baseUrl: cliEnv.url, ...(cliEnv.adminToken === undefined ? {} : { adminToken: cliEnv.adminToken }) });
  };

  const onlineOrOffline = async <T>(online: (a: AuditApi) => Promise<T>, offline: (log: Awaited<ReturnType<OfflineLogOpener>>) => Promise<T>): Promise<T> => {
    try {
      return await online(api());
    } catch (error) {
      if (!(error instanceof ApiUnreachableError) || context.openOfflineLog === undefined) throw error;
      const log = await context.openOfflineLog(env);
      try {
        return await offline(log);
      } finally {
        await log.close();
      }
    }
  };

  const reportFailure = (what: string, error: unknown): void => {
    if (describedByChorus(error)) throw error;
    stderr.write(`chorus: ${what} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    context.fail(EXIT_FAILURE);
  };

  program
    .command('timeline')
    .description('IM, presence, registrations, calls and conferences in one list, for a user or for everyone in [--from, --to)')
    .option('--user <sip-uri>', 'only events that concern this user')
    .option('--from <instant>', 'window start (inclusive), ISO-8601 with offset; required without --user')
    .option('--to <instant>', 'window end (exclusive); required without --user')
    .option('--workloads <list>', 'comma-separated: im,presence,calls,conferences,registrations,directory,voice (default all)')
    .option('--after <position>', 'start after this log position (the `next` of the previous page)')
    .option('--limit <n>', `events per page, 1 to ${MAX_UNIFIED_TIMELINE_PAGE}`, '100')
    .option('--json', 'print the page as JSON')
    .action(async function (this: Command, options: Record<string, unknown>) {
      const input = validateCommandInput(
        this,
        TimelineInputSchema,
        { user: options['user'], from: options['from'], to: options['to'], workloads: options['workloads'], after: options['after'], limit: options['limit'] },
        { user: '--user', from: '--from', to: '--to', workloads: '--workloads', after: '--after', limit: '--limit' },
      );
      const query = new URLSearchParams({
        ...optional('user', input.user),
        ...optional('from', input.from),
        ...optional('to', input.to),
        ...optional('workloads', input.workloads?.join(',')),
        ...optional('after', input.after),
        limit: String(input.limit),
      });
      const page = await onlineOrOffline(
        (a) => a.timeline(query),
        async (log) => {
          // Loaded on demand, like the server: every `chorus` command would otherwise parse the whole event catalogue.
          const { logTimeline } = await import('../projections/audit-timeline/log-timeline.ts');
          const p = await logTimeline(log.store, {
            ...optional('user', input.user),
            ...optional('from', input.from),
            ...optional('to', input.to),
            ...(input.workloads === undefined ? {} : { workloads: input.workloads }),
            ...(input.after === undefined ? {} : { after: BigInt(input.after) }),
            limit: input.limit,
          });
          return {
            items: p.items.map((i) => ({ ...i, position: String(i.position), parties: i.parties.map((x) => ({ sipUri: x.sipUri, as: [...x.as] })) })),
            next: p.next === null ? null : String(p.next),
          } satisfies UnifiedTimelinePageBody;
        },
      );
      if (options['json'] === true) stdout.write(`${JSON.stringify(page, null, 2)}\n`);
      else {
        stdout.write(page.items.map((i) => `${formatItem(i)}\n`).join(''));
        stdout.write(page.next === null ? `(${page.items.length} events, end)\n` : `(${page.items.length} events; more with --after ${page.next})\n`);
      }
    });

  program
    .command('export')
    .description('compliance export: a filtered replay of the log as JSONL, CSV or an HTML report per user, written to --out')
    .requiredOption('--format <format>', 'jsonl (the events), csv (fixed columns) or html (a timeline report per user)')
    .option('--user <sip-uri>', 'only events that concern this user; repeat for several (default everyone)', collect, [])
    .option('--from <instant>', 'only events that occurred at or after this instant, ISO-8601 with offset')
    .option('--to <instant>', 'only events that occurred before this instant')
    .option('--workloads <list>', 'comma-separated: im,presence,calls,conferences,registrations,directory,voice,privacy (default all)')
    .requiredOption('--out <file>', 'the file to write; written whole or not at all')
    .action(async function (this: Command, options: Record<string, unknown>) {
      const input = validateCommandInput(
        this,
        ExportInputSchema,
        { format: options['format'], users: options['user'], from: options['from'], to: options['to'], workloads: options['workloads'], out: options['out'] },
        { format: '--format', users: '--user', from: '--from', to: '--to', workloads: '--workloads', out: '--out' },
      );
      const filter: ExportFilter = ExportFilterSchema.parse({
        users: input.users,
        ...optional('from', input.from),
        ...optional('to', input.to),
        ...(input.workloads === undefined ? {} : { workloads: input.workloads }),
      });
      let bar = null as EventProgress | null;
      const progress = (position: bigint, upTo: bigint): void => {
        bar ??= new EventProgress({ label: `export ${input.format}`, total: Number(upTo), stream: stderr });
        bar.report({ done: Number(position), total: Number(upTo) });
      };
      try {
        const result = await onlineOrOffline(
          async (a) => {
            const query = new URLSearchParams({ format: input.format });
            for (const user of filter.users) query.append('user', user);
            if (filter.from !== null) query.set('from', filter.from);
            if (filter.to !== null) query.set('to', filter.to);
            if (input.workloads !== undefined) query.set('workloads', filter.workloads.join(','));
            const download = await a.export(query);
            progress(0n, download.upTo);
            const decoder = new TextDecoder();
            async function* tracked(): AsyncGenerator<Uint8Array> {
              for await (const chunk of download.body) {
                const at = lastPosition(input.format, decoder.decode(chunk, { stream: true }));
                if (at !== null) progress(at, download.upTo);
                yield chunk;
              }
              progress(download.upTo, download.upTo);
            }
            return { bytes: await writeFileAtomically(input.out, tracked()), upTo: download.upTo, where: 'server' };
          },
          async (log) => {
            const { exportLog } = await import('../compliance/export-log.ts');
            const run = await exportLog(log.store, { format: input.format, filter, onProgress: progress });
            progress(0n, run.upTo);
            return { bytes: await writeFileAtomically(input.out, run.chunks), upTo: run.upTo, where: 'log' };
          },
        );
        bar?.stop();
        stdout.write(`exported ${result.bytes} bytes (${input.format}, log up to position ${result.upTo}, read from the ${result.where}) to ${input.out}\n`);
      } catch (error) {
        bar?.stop();
        reportFailure('export', error);
      }
    });
}
