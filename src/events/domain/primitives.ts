import { z } from 'zod';

/**
 * Value schemas shared by the domain events and commands. Each one fixes a
 * canonical spelling so that the same thing (a user, a number) always gives
 * the same stream id and the same projection key.
 */

/** An ISO-8601 instant with an explicit offset; deciders always write UTC (`…Z`). */
export const IsoInstantSchema = z.iso.datetime({ offset: true });

// RFC 3261 user part without `;`, `?` and `/`, so the AOR never carries URI parameters.
const SIP_USER = "[A-Za-z0-9\\-_.!~*'()&=+$,%]+";
const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

/**
 * A user's address of record: `sip:user@host`, host in lower case, no port or
 * parameters. Lower-case hosts matter: the AOR (without `sip:`) is the id of
 * the user's stream, and two spellings must not give two users.
 */
export const SipUriSchema = z
  .string()
  .max(256)
  .regex(new RegExp(`^sip:${SIP_USER}@${DNS_LABEL}(?:\\.${DNS_LABEL})*$`), 'must be sip:user@host with a lower-case host');
export type SipUri = z.infer<typeof SipUriSchema>;

/** An E.164 line URI as OCS stores it: `tel:+14255550100`, optionally `;ext=100`. */
export const TelUriSchema = z
  .string()
  .regex(/^tel:\+[1-9][0-9]{1,14}(?:;ext=[0-9]{1,10})?$/, 'must be an E.164 tel URI, e.g. tel:+15551234567');
export type TelUri = z.infer<typeof TelUriSchema>;

/** Where a call may be sent: another user or a phone number. */
export const CallTargetSchema = z.union([SipUriSchema, TelUriSchema]);
export type CallTarget = z.infer<typeof CallTargetSchema>;

/** A Contact URI as the endpoint sent it (parameters included); opaque to the domain. */
export const ContactUriSchema = z
  .string()
  .max(1024)
  .regex(/^sips?:[\x21-\x7e]+$/, 'must be a sip: or sips: URI without spaces');

/** An id minted by Chorus or a peer (endpoint id, etag, dialog id): printable, no spaces. */
export const OpaqueIdSchema = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 printable characters without spaces');

/** The transport a SIP endpoint registered over. */
export const SipTransportSchema = z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']);
export type SipTransport = z.infer<typeof SipTransportSchema>;

/** Where a request came from: `203.0.113.7:5060` or `[2001:db8::1]:5061`. */
export const SourceAddressSchema = z
  .string()
  .regex(/^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}|\[[0-9A-Fa-f:.]{2,45}\]):(?:6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})$/, 'must be ip:port');

/** A host (DNS name or IP) and port: `gw1.example.test:5067`. */
export const HostPortSchema = z
  .string()
  .regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\]):(?:6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})$/, 'must be host:port');

/**
 * Name of a dial plan, voice policy, PSTN route or gateway. No spaces: the name
 * is part of the item's stream id (`voiceconfig-dialplan-<name>`).
 */
export const ConfigNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** A PSTN usage ("Local", "Long Distance"): a label that links voice policies to routes. */
export const PstnUsageSchema = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,62}[A-Za-z0-9._-])?$/, 'must be 1-64 letters, digits, spaces, ".", "_" or "-", not starting or ending with a space');

/** Rejects a list that names the same item twice (`label` names the list in the message). */
export function uniqueList<T extends z.ZodType<string>>(item: T, label: string) {
  return z.array(item).refine((xs) => new Set(xs).size === xs.length, { message: `${label} must not repeat an entry` });
}
