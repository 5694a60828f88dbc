import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ProposedRoutingConfigSchema, type ProposedRoutingConfig } from '../compliance/what-if/proposed-routing-config.ts';

/** A `--config` file that cannot be used: the message names the file and each problem (with its path in the file). */
export class ProposedConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProposedConfigFileError';
  }
}

/**
 * Reads a proposed routing configuration for `chorus whatif --config`: JSON,
 * or YAML for `.yaml` / `.yml`, validated with ProposedRoutingConfigSchema
 * (the voice-config API bodies), so a file the server would refuse is refused here.
 */
export async function readProposedConfigFile(path: string): Promise<ProposedRoutingConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ProposedConfigFileError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let raw: unknown;
  try {
    const extension = extname(path).toLowerCase();
    if (extension === '.yaml' || extension === '.yml') {
      // Loaded only for YAML files: JSON needs nothing beyond the platform.
      const { parse } = await import('yaml');
      raw = parse(text) as unknown;
    } else raw = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ProposedConfigFileError(`${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = ProposedRoutingConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new ProposedConfigFileError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
