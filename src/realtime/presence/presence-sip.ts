import { SipUriSchema } from '../../events/domain/primitives.ts';
import { unescapeComponent } from '../sip/grammar.ts';
import type { Headers } from '../sip/message.ts';
import type { Uri } from '../sip/uri.ts';
import { PIDF_CONTENT_TYPE } from './pidf-model.ts';

/** Header reading shared by PUBLISH and SUBSCRIBE handling. */

/** The event package this server implements (RFC 3856). */
export const PRESENCE_EVENT = 'presence';

/**
 * `sip:user@host` (user unescaped, host lower-cased, no port or parameters) when
 * the URI names a user the user decider can have; undefined otherwise.
 */
export function aorOfUri(uri: Uri): string | undefined {
  if ((uri.scheme !== 'sip' && uri.scheme !== 'sips') || uri.user === undefined) return undefined;
  const aor = `sip:${unescapeComponent(uri.user)}@${uri.host.toLowerCase()}`;
  return SipUriSchema.safeParse(aor).success ? aor : undefined;
}

/** The user part of an AOR built by aorOfUri: the digest username that may act for it. */
export function userOfAor(aor: string): string {
  return aor.slice('sip:'.length, aor.lastIndexOf('@'));
}

export function domainOfAor(aor: string): string {
  return aor.slice(aor.lastIndexOf('@') + 1);
}

/** The package of an Event header (`presence;id=7` → `presence`), lower-cased; undefined without one. */
export function eventPackage(headers: Headers): string | undefined {
  const value = headers.get('Event');
  if (value === undefined) return undefined;
  return value.split(';')[0]?.trim().toLowerCase();
}

/** The Event header's `id` parameter (RFC 6665 §8.2.1), which is part of the subscription's identity. */
export function eventId(headers: Headers): string | undefined {
  const value = headers.get('Event');
  if (value === undefined) return undefined;
  for (const param of value.split(';').slice(1)) {
    const [name, v] = param.split('=', 2);
    if (name?.trim().toLowerCase() === 'id' && v !== undefined) return v.trim();
  }
  return undefined;
}

/** The media type of Content-Type (`application/pidf+xml;charset=UTF-8` → `application/pidf+xml`). */
export function mediaType(headers: Headers): string | undefined {
  const value = headers.get('Content-Type');
  return value === undefined ? undefined : (value.split(';')[0]?.trim().toLowerCase() ?? '');
}

export type ExpiresValue = { readonly kind: 'absent' } | { readonly kind: 'seconds'; readonly seconds: number } | { readonly kind: 'malformed' };

/** Expires as delta-seconds (RFC 3261 §20.19); values past 2³²-1 are taken as that (they are clamped later anyway). */
export function readExpires(headers: Headers): ExpiresValue {
  const value = headers.get('Expires');
  if (value === undefined) return { kind: 'absent' };
  const trimmed = value.trim();
  if (!/^\d{1,10}$/.test(trimmed)) return { kind: 'malformed' };
  return { kind: 'seconds', seconds: Math.min(Number(trimmed), 4_294_967_295) };
}

/**
 * True unless an Accept header lists types of which none covers PIDF
 * (RFC 3856 §6.6: PIDF is the default, so a SUBSCRIBE without Accept wants it).
 */
export function acceptsPidf(headers: Headers): boolean {
  const values = headers.getAll('Accept');
  if (values.length === 0) return true;
  const types = values
    .flatMap((v) => v.split(','))
    .map((v) => v.split(';')[0]?.trim().toLowerCase() ?? '')
    .filter((v) => v !== '');
  // An empty Accept header is unusual but means "nothing": RFC 3261 §20.1 lets it say no body is accepted.
  return types.some((t) => t === PIDF_CONTENT_TYPE || t === 'application/*' || t === '*/*');
}
