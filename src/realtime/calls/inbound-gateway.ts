import { SipUriSchema, TelUriSchema, type CallTarget } from '../../events/domain/primitives.ts';
import type { Gateway } from '../../events/domain/voice-config-events.ts';
import { unescapeComponent } from '../sip/grammar.ts';
import type { NameAddr } from '../sip/name-addr.ts';
import { isSipUri, type Uri } from '../sip/uri.ts';
import { dialledOf } from './dialled-target.ts';

/**
 * Gateways send numbers in E.164, with or without the `+` (`tel:+14255550100`,
 * `sip:+14255550100@chorus;user=phone`, `sip:14255550100@chorus`). Without a
 * `+` the digits are read as E.164 all the same: no dial plan applies to a
 * call from the PSTN (OCS normalizes inbound numbers on the gateway's trunk,
 * which Chorus does not model).
 */
function asE164(digits: string): string | undefined {
  const number = digits.startsWith('+') ? digits : `+${digits}`;
  return TelUriSchema.safeParse(`tel:${number}`).success ? number : undefined;
}

/**
 * The number an INVITE from a gateway calls, as the reverse number lookup
 * takes it (`+14255550100`, `+14255550100;ext=100`), or undefined when the
 * Request-URI is not a phone number (a SIP address: gateways do not dial those).
 */
export function inboundNumberOf(uri: Uri): string | undefined {
  const dialled = dialledOf(uri);
  if (dialled?.kind !== 'number') return undefined;
  const [main = '', ext] = dialled.dialled.split(';ext=');
  const number = asE164(main);
  if (number === undefined) return undefined;
  return ext === undefined ? number : `${number};ext=${ext}`;
}

/**
 * Who calls, as the call's `caller`: the From number as a tel: URI when it is
 * E.164 with its `+`, else the From address at the gateway's
 * host (`sip:anonymous@192.0.2.10`), else, when even that is no valid address,
 * `sip:anonymous@anonymous.invalid` (RFC 3323's anonymous caller).
 */
export function inboundCallerOf(from: NameAddr, gateway: Gateway): CallTarget {
  const uri = from.uri;
  const user = uri.scheme === 'tel' ? uri.number : isSipUri(uri) && uri.user !== undefined ? unescapeComponent(uri.user) : undefined;
  // Only an explicit `+`: a calling number without one is often national or local, and a `+` guessed in front would be a wrong number.
  const digits = user?.replace(/[-.()]/g, '');
  const number = digits?.startsWith('+') ? asE164(digits) : undefined;
  if (number !== undefined) return `tel:${number}`;
  const host = gateway.address.slice(0, gateway.address.lastIndexOf(':')).toLowerCase();
  const named = `sip:${user ?? 'anonymous'}@${host}`;
  if (SipUriSchema.safeParse(named).success) return named;
  const anonymous = `sip:anonymous@${host}`;
  return SipUriSchema.safeParse(anonymous).success ? anonymous : 'sip:anonymous@anonymous.invalid';
}
