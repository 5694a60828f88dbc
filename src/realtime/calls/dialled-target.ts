import { SipUriSchema } from '../../events/domain/primitives.ts';
import { getParam, unescapeComponent } from '../sip/grammar.ts';
import type { NameAddr } from '../sip/name-addr.ts';
import { isSipUri, type Uri } from '../sip/uri.ts';

/** What an INVITE's Request-URI asks for, in the form `resolveRoutingInput` takes. */
export type Dialled =
  /** A SIP address (`sip:bob@example.test`): a user, never run through a dial plan. */
  | { readonly kind: 'sip'; readonly dialled: string }
  /** Digits as dialled (`2001`, `94255550100`, `+14255550100`, `+14255550100;ext=100`): the dial plan applies. */
  | { readonly kind: 'number'; readonly dialled: string };

/** RFC 3966 §3 visual separators; dial plans are written for the bare digits. */
const VISUAL_SEPARATORS = /[-.()]/g;
const PHONE_DIGITS = /^\+?[0-9*#]{1,64}$/;

function phoneNumber(text: string): string | undefined {
  const digits = text.replace(VISUAL_SEPARATORS, '');
  return PHONE_DIGITS.test(digits) ? digits : undefined;
}

/**
 * The dialled target of a Request-URI: a `tel:` URI's number (with `;ext=`),
 * a SIP URI whose user part is a phone number (`user=phone`, or digits only,
 * as softphones send an extension), or else the SIP address itself. Undefined
 * when it names nothing routable (no user part, another scheme).
 */
export function dialledOf(uri: Uri): Dialled | undefined {
  if (uri.scheme === 'tel') {
    const number = phoneNumber(uri.number);
    if (number === undefined) return undefined;
    const ext = getParam(uri.params, 'ext');
    const extDigits = typeof ext === 'string' ? phoneNumber(ext) : undefined;
    return { kind: 'number', dialled: extDigits === undefined ? number : `${number};ext=${extDigits}` };
  }
  if (!isSipUri(uri) || uri.user === undefined) return undefined;
  const user = unescapeComponent(uri.user);
  const number = phoneNumber(user);
  const userPhone = getParam(uri.params, 'user') === 'phone';
  if (number !== undefined) return { kind: 'number', dialled: number };
  if (userPhone) return undefined;
  const aor = `sip:${user}@${uri.host.toLowerCase()}`;
  return SipUriSchema.safeParse(aor).success ? { kind: 'sip', dialled: aor } : undefined;
}

/** The caller's address of record and digest username, from the From header. */
export type CallerIdentity = { readonly aor: string; readonly username: string };

export function callerOf(from: NameAddr): CallerIdentity | undefined {
  const uri = from.uri;
  if (!isSipUri(uri) || uri.user === undefined) return undefined;
  const username = unescapeComponent(uri.user);
  const aor = `sip:${username}@${uri.host.toLowerCase()}`;
  return SipUriSchema.safeParse(aor).success ? { aor, username } : undefined;
}
