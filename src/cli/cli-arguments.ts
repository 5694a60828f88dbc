import type { Command } from 'commander';
import type { z } from 'zod';
import { EXIT_USAGE } from './exit-codes.ts';

/**
 * Validates what commander collected for one command against that command's
 * zod schema. On failure it reports every bad value by the name the user typed
 * (`--line`, `<sip-uri>`), shows the usage, and ends with exit code 2 before
 * the action does anything. Schemas reuse the domain primitives and the API
 * contract, so the CLI accepts exactly what the server would.
 */
export function validateCommandInput<S extends z.ZodObject>(
  command: Command,
  schema: S,
  raw: Record<keyof z.input<S> & string, unknown>,
  labels: Record<keyof z.input<S> & string, string>,
): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path[0];
    const label = typeof key === 'string' && key in labels ? labels[key as keyof typeof labels] : 'input';
    return `${label}: ${issue.message}`;
  });
  // command.error prints to stderr (with the usage, see showHelpAfterError) and throws a CommanderError.
  return command.error(`error: ${problems.join('; ')}`, { exitCode: EXIT_USAGE, code: 'chorus.invalidArgument' });
}
