import { z } from 'zod';
import { ConfigError } from '../../config/config.ts';
import { MAX_IM_BODY_BYTES, DEFAULT_MAX_IM_BODY_BYTES } from '../im/im-content-policy.ts';

/**
 * SIP front-end settings that src/config/config.ts does not have yet (it has
 * SIP_PORT, CHORUS_DOMAIN and CHORUS_NODE_ID, which the factory takes from
 * there). Kept here until they move into the main configuration; each field
 * documents its variable and default.
 */

/** Every transport the embedded engine has. */
export const SIP_TRANSPORT_NAMES = ['udp', 'tcp', 'tls', 'ws', 'wss'] as const;
export type SipTransportName = (typeof SIP_TRANSPORT_NAMES)[number];

const PositiveInt = z.coerce.number().int().positive();
const List = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));
const Flag = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const Port = z.coerce.number().int().min(0).max(65_535);
const FilePath = z.string().min(1).max(4096);
const HostName = z.string().regex(/^(?:[a-z0-9.-]+|\[?[0-9a-f:.]+\]?)$/i, 'must be a host name or an IP address');

export const SipFrontEndConfigSchema = z
  .object({
    /** SIP_HOST — bind address of the SIP listeners. Default 0.0.0.0 (every interface). */
    host: z.string().min(1).default('0.0.0.0'),
    /** SIP_ADVERTISED_HOST — host written in Via / Record-Route. Default: SIP_HOST, or 127.0.0.1 when that is a wildcard. */
    advertisedHost: HostName.optional(),
    /**
     * SIP_TRANSPORTS — comma list of `udp`, `tcp` (both on SIP_PORT), `tls` (SIP_TLS_PORT),
     * `ws` (SIP_WS_PORT) and `wss` (SIP_WSS_PORT). Default `udp,tcp`.
     */
    transports: List.pipe(z.array(z.enum(SIP_TRANSPORT_NAMES)).min(1)).default(['udp', 'tcp']),
    /** SIP_TLS_PORT — SIP over TLS (RFC 3261 §26.2.1). Default 5061. */
    tlsPort: Port.default(5061),
    /** SIP_WS_PORT — SIP over WebSocket (RFC 7118, subprotocol `sip`). Default 5066, as FreeSWITCH. */
    wsPort: Port.default(5066),
    /** SIP_WSS_PORT — SIP over secure WebSocket (RFC 7118 §5). Default 7443, as FreeSWITCH. */
    wssPort: Port.default(7443),
    /** SIP_TLS_CERT — PEM certificate chain file for `tls` and `wss`; required with either. Default none. */
    tlsCert: FilePath.optional(),
    /** SIP_TLS_KEY — PEM private key file for `tls` and `wss`; required with either. Default none. */
    tlsKey: FilePath.optional(),
    /** SIP_TLS_CA — PEM CA bundle to verify TLS servers this node connects to. Default: Node's bundled CAs. */
    tlsCa: FilePath.optional(),
    /**
     * SIP_FORCE_RPORT — answer every request where it came from, as if its top Via
     * had `rport` (RFC 3581), for clients behind NAT that do not ask for it. Default false.
     */
    forceRport: Flag.default(false),
    /** SIP_DOMAIN_ALIASES — other names of CHORUS_DOMAIN (comma list). Default none. */
    domainAliases: List.pipe(z.array(HostName)).default([]),
    /** SIP_REALM — digest realm for users without credentials. Default: CHORUS_DOMAIN. */
    realm: z.string().min(1).max(200).optional(),
    /**
     * SIP_NONCE_SECRET — digest nonce HMAC key, at least 16 characters; give every
     * node of a pool the same one. Default: random per process (nonces die with it).
     */
    nonceSecret: z.string().min(16, 'must be at least 16 characters').optional(),
    /**
     * SIP_DIGEST_ALGORITHMS — challenges offered, most preferred first. Default
     * `MD5`. RFC 8760 lets a server offer SHA-256 and MD5 and the client answer
     * the first it supports, but real clients break on it: Debian's baresip 1.0
     * fails the whole registration ("Function not implemented") on seeing a
     * SHA-256 challenge, and SIPp 3.6 answers only the first challenge, with MD5.
     * So a softphone works out of the box with `MD5`; set `SHA-256,MD5` where
     * every client handles RFC 8760.
     */
    digestAlgorithms: List.pipe(z.array(z.enum(['SHA-256', 'MD5'])).min(1)).default(['MD5']),
    /** SIP_NONCE_TTL_SECONDS — how long a nonce stays fresh. Default 300. */
    nonceTtlSeconds: PositiveInt.default(300),
    /** SIP_RATE_PER_SECOND — sustained requests per second per source address. Default 20. */
    ratePerSecond: z.coerce.number().positive().default(20),
    /** SIP_RATE_BURST — requests a quiet source may send at once. Default 60. */
    rateBurst: PositiveInt.default(60),
    /** SIP_RATE_EXEMPT — source addresses never limited (gateways, pool nodes), comma list. Default none. */
    rateExempt: List.default([]),
    /** SIP_MIN_EXPIRES — shortest registration accepted (423 below). Default 60. */
    minExpires: PositiveInt.default(60),
    /** SIP_DEFAULT_EXPIRES — registration lifetime when the client gives none. Default 3600. */
    defaultExpires: PositiveInt.default(3600),
    /** SIP_MAX_EXPIRES — longest registration granted. Default 86400. */
    maxExpires: PositiveInt.max(86_400).default(86_400),
    /** IM_ARCHIVE — keep message text in the log (`true`) or only the fact a message was sent. Default true. */
    imArchive: Flag.default(true),
    /** IM_MAX_BODY_BYTES — larger MESSAGE bodies get 413. Default 16384, at most 65536. */
    imMaxBodyBytes: PositiveInt.max(MAX_IM_BODY_BYTES).default(DEFAULT_MAX_IM_BODY_BYTES),
    /** IM_SESSION_IDLE_SECONDS — a pair's page-mode session ends after this long without a message. Default 600. */
    imSessionIdleSeconds: PositiveInt.default(600),
  })
  .superRefine((c, ctx) => {
    const twice = c.transports.find((t, i) => c.transports.indexOf(t) !== i);
    if (twice !== undefined) ctx.addIssue({ code: 'custom', path: ['transports'], message: `lists ${twice} twice` });
    const ports = (['tls', 'ws', 'wss'] as const).filter((t) => c.transports.includes(t)).map((t) => ({ t, port: c[`${t}Port`] }));
    for (const [i, a] of ports.entries()) {
      const b = ports.slice(i + 1).find((o) => o.port === a.port && a.port !== 0);
      if (b) ctx.addIssue({ code: 'custom', path: [`${b.t}Port`], message: `${a.t} and ${b.t} cannot share port ${a.port}` });
    }
    if (c.transports.some((t) => t === 'tls' || t === 'wss')) {
      for (const key of ['tlsCert', 'tlsKey'] as const) {
        if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required when SIP_TRANSPORTS includes tls or wss' });
      }
    }
    if (!(c.minExpires <= c.defaultExpires && c.defaultExpires <= c.maxExpires)) {
      ctx.addIssue({ code: 'custom', path: ['defaultExpires'], message: 'needs SIP_MIN_EXPIRES <= SIP_DEFAULT_EXPIRES <= SIP_MAX_EXPIRES' });
    }
  });

export type SipFrontEndConfig = z.infer<typeof SipFrontEndConfigSchema>;

export const SIP_ENV_NAMES: Record<keyof SipFrontEndConfig, string> = {
  host: 'SIP_HOST',
  advertisedHost: 'SIP_ADVERTISED_HOST',
  transports: 'SIP_TRANSPORTS',
  tlsPort: 'SIP_TLS_PORT',
  wsPort: 'SIP_WS_PORT',
  wssPort: 'SIP_WSS_PORT',
  tlsCert: 'SIP_TLS_CERT',
  tlsKey: 'SIP_TLS_KEY',
  tlsCa: 'SIP_TLS_CA',
  forceRport: 'SIP_FORCE_RPORT',
  domainAliases: 'SIP_DOMAIN_ALIASES',
  realm: 'SIP_REALM',
  nonceSecret: 'SIP_NONCE_SECRET',
  digestAlgorithms: 'SIP_DIGEST_ALGORITHMS',
  nonceTtlSeconds: 'SIP_NONCE_TTL_SECONDS',
  ratePerSecond: 'SIP_RATE_PER_SECOND',
  rateBurst: 'SIP_RATE_BURST',
  rateExempt: 'SIP_RATE_EXEMPT',
  minExpires: 'SIP_MIN_EXPIRES',
  defaultExpires: 'SIP_DEFAULT_EXPIRES',
  maxExpires: 'SIP_MAX_EXPIRES',
  imArchive: 'IM_ARCHIVE',
  imMaxBodyBytes: 'IM_MAX_BODY_BYTES',
  imSessionIdleSeconds: 'IM_SESSION_IDLE_SECONDS',
};

/** Reads and validates the SIP settings; throws ConfigError naming the variable (as loadConfig does). */
export function loadSipFrontEndConfig(env: NodeJS.ProcessEnv = process.env): SipFrontEndConfig {
  const raw: Record<string, string | undefined> = {};
  for (const [key, name] of Object.entries(SIP_ENV_NAMES)) {
    const v = env[name];
    raw[key] = v === '' ? undefined : v;
  }
  const result = SipFrontEndConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path[0];
  const name = typeof key === 'string' && key in SIP_ENV_NAMES ? SIP_ENV_NAMES[key as keyof SipFrontEndConfig] : 'SIP configuration';
  throw new ConfigError(`${name}: ${issue?.message ?? 'invalid'}`);
}
