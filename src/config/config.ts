import { z } from 'zod';

/**
 * Everything Chorus reads from the environment, validated once at start-up.
 * Each field documents its variable and default.
 */
const Port = z.coerce.number().int().min(0).max(65535);

export const ConfigSchema = z
  .object({
    /** CHORUS_STORE — which event log: `pglite` (embedded, default), `postgres`, `eventstoredb`. */
    store: z.enum(['pglite', 'postgres', 'eventstoredb']).default('pglite'),
    /** CHORUS_DATA_DIR — where PGlite keeps its files. Default `./data`. `memory://` keeps nothing. */
    dataDir: z.string().min(1).default('./data'),
    /** DATABASE_URL — PostgreSQL connection string; required when CHORUS_STORE=postgres. */
    databaseUrl: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /** ESDB_URL — EventStoreDB connection string (`esdb://host:2113?tls=false`); required when CHORUS_STORE=eventstoredb. */
    esdbUrl: z.string().regex(/^(esdb|kurrentdb|kdb)(\+discover)?:\/\//, 'must be an esdb:// connection string').optional(),
    /** HTTP_PORT — HTTP API port. Default 8080. */
    httpPort: Port.default(8080),
    /** HTTP_HOST — HTTP bind address. Default 0.0.0.0. */
    httpHost: z.string().min(1).default('0.0.0.0'),
    /** SIP_PORT — SIP port (UDP and TCP). Default 5060. */
    sipPort: Port.default(5060),
    /** CHORUS_DOMAIN — the SIP domain this pool serves. Default `example.test`. */
    domain: z.string().regex(/^[a-z0-9.-]+$/i, 'must be a DNS name').default('example.test'),
    /**
     * CHORUS_DEMO — `auto` (default): on an EMPTY log (head position 0) provision
     * alice, bob and carol in CHORUS_DOMAIN with random passwords and print
     * them; never on a log that holds anything. `off`: never.
     */
    demo: z.enum(['auto', 'off']).default('auto'),
    /** CHORUS_ADMIN_TOKEN — bearer token for HTTP writes; generated and printed at start when unset. */
    adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** CHORUS_NODE_ID — name of this front end in event metadata. Default: the host name. */
    nodeId: z.string().min(1).max(200).optional(),
    /** LOG_LEVEL — pino level. Default `info`. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.store === 'postgres' && !c.databaseUrl)
      ctx.addIssue({ code: 'custom', path: ['databaseUrl'], message: 'is required when CHORUS_STORE=postgres' });
    if (c.store === 'eventstoredb' && !c.esdbUrl)
      ctx.addIssue({ code: 'custom', path: ['esdbUrl'], message: 'is required when CHORUS_STORE=eventstoredb' });
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Config field → environment variable, so errors name what the operator must fix. */
export const ENV_NAMES: Record<keyof Config, string> = {
  store: 'CHORUS_STORE',
  dataDir: 'CHORUS_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  esdbUrl: 'ESDB_URL',
  httpPort: 'HTTP_PORT',
  httpHost: 'HTTP_HOST',
  sipPort: 'SIP_PORT',
  domain: 'CHORUS_DOMAIN',
  demo: 'CHORUS_DEMO',
  adminToken: 'CHORUS_ADMIN_TOKEN',
  nodeId: 'CHORUS_NODE_ID',
  logLevel: 'LOG_LEVEL',
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; throws ConfigError with a one-line message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string | undefined> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const v = env[name];
    raw[key] = v === '' ? undefined : v;
  }
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path[0] as keyof Config | undefined;
  const name = key ? ENV_NAMES[key] : 'configuration';
  throw new ConfigError(`${name}: ${issue.message}`);
}
