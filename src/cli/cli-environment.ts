import { z } from 'zod';

export const DEFAULT_CHORUS_URL = 'http://127.0.0.1:8080';

const CliEnvironmentSchema = z.object({
  /** CHORUS_URL: the server the commands talk to. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).default(DEFAULT_CHORUS_URL),
  /** CHORUS_ADMIN_TOKEN: the bearer token the server was started with. */
  adminToken: z.string().min(1).optional(),
});
export type CliEnvironment = z.infer<typeof CliEnvironmentSchema>;

export class CliEnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliEnvironmentError';
  }
}

const ENV_NAMES: Record<keyof CliEnvironment, string> = { url: 'CHORUS_URL', adminToken: 'CHORUS_ADMIN_TOKEN' };

/** Reads the client side of the environment; throws CliEnvironmentError naming the variable. */
export function loadCliEnvironment(env: NodeJS.ProcessEnv): CliEnvironment {
  const raw = {
    url: env['CHORUS_URL'] === '' ? undefined : env['CHORUS_URL'],
    adminToken: env['CHORUS_ADMIN_TOKEN'] === '' ? undefined : env['CHORUS_ADMIN_TOKEN'],
  };
  const result = CliEnvironmentSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path[0];
  const name = key === 'url' || key === 'adminToken' ? ENV_NAMES[key] : 'environment';
  throw new CliEnvironmentError(`${name}: ${issue?.message ?? 'is invalid'}`);
}
