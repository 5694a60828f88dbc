import { readFileSync } from 'node:fs';
import { z } from 'zod';

const PackageJsonSchema = z.object({ version: z.string().min(1) });

let cached: string | undefined;

/** The version in package.json: what /health and the OpenAPI document report. */
export function chorusVersion(): string {
  cached ??= PackageJsonSchema.parse(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))).version;
  return cached;
}
