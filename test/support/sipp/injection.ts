import { writeFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * SIPp injection fields are separated by ';' and the credentials sit inside SIPp's
 * `[authentication username=… password=…]` keyword, so none of them may contain ';', ']',
 * whitespace or a line break: such a value would silently shift the fields.
 */
const token = z.string().min(1).regex(/^[^;\]\s]+$/, "must not contain ';', ']' or whitespace");

/** One line of an injection file: who this "call" acts as, and whom it targets. */
export const InjectionRowSchema = z.object({
  user: token,
  domain: token,
  password: token,
  /** The other party: callee, presentity, message recipient. Field 3; empty when unused. */
  target: token.optional(),
});
export type InjectionRow = z.infer<typeof InjectionRowSchema>;

/**
 * How rows are handed to calls: SEQUENTIAL (call n gets row n mod rows, what every scenario in
 * test/fixtures/sipp expects), RANDOM, or USER (per -users "user", for long-lived users).
 */
export type InjectionOrder = 'SEQUENTIAL' | 'RANDOM' | 'USER';

/**
 * The CSV for `-inf`, in the field layout every scenario in test/fixtures/sipp uses:
 *   0 user, 1 domain, 2 `[authentication username=<user> password=<password>]`, 3 target.
 * Field 2 is SIPp's own keyword, expanded per call after a 401/407 into the right
 * Authorization / Proxy-Authorization header (with SIPp 3.6 the digest `uri` is the request's).
 */
export function injectionCsv(rows: readonly InjectionRow[], order: InjectionOrder = 'SEQUENTIAL'): string {
  if (rows.length === 0) throw new Error('an injection file needs at least one row');
  const lines = rows.map((raw, index) => {
    const parsed = InjectionRowSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`injection row ${index}: ${z.prettifyError(parsed.error)}`);
    const row = parsed.data;
    return [row.user, row.domain, `[authentication username=${row.user} password=${row.password}]`, row.target ?? ''].join(';');
  });
  return `${order}\n${lines.join('\n')}\n`;
}

export async function writeInjectionFile(path: string, rows: readonly InjectionRow[], order?: InjectionOrder): Promise<void> {
  await writeFile(path, injectionCsv(rows, order));
}
