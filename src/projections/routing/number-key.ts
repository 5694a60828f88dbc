import { TelUriSchema, type TelUri } from '../../events/domain/primitives.ts';

/**
 * The one spelling of a phone number the reverse number lookup indexes and
 * looks up: a line URI without its `tel:` scheme, `+14255550100` or
 * `+14255550100;ext=100`. Both sides go through TelUriSchema, so a number is
 * found exactly when its spelling is the line URI's.
 *
 * An extension is part of the key (as in OCS, a line URI with `;ext=` is
 * reached by a dial plan rule that produces the extension): `+14255550100`
 * does not find `tel:+14255550100;ext=100`, and two users may share a main
 * number with different extensions.
 */
export function lineNumberKey(lineUri: TelUri): string {
  return lineUri.slice('tel:'.length);
}

/**
 * The key of a normalized number, with or without `tel:`; null when it is not
 * E.164 (an internal extension no dial plan rule translated, a SIP URI).
 */
export function dialledNumberKey(number: string): string | null {
  const uri = number.startsWith('tel:') ? number : `tel:${number}`;
  const parsed = TelUriSchema.safeParse(uri);
  return parsed.success ? lineNumberKey(parsed.data) : null;
}
