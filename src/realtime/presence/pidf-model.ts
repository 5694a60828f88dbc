import { z } from 'zod';

/** XML namespaces of the documents Chorus reads and writes. */
export const PIDF_NS = 'urn:ietf:params:xml:ns:pidf'; // RFC 3863
export const DATA_MODEL_NS = 'urn:ietf:params:xml:ns:pidf:data-model'; // RFC 4479 (<dm:person>)
export const RPID_NS = 'urn:ietf:params:xml:ns:pidf:rpid'; // RFC 4480
/**
 * Chorus's extension namespace for the OCS-style availability number. PIDF allows elements of other
 * namespaces inside <dm:person> (RFC 4479 §4.2), and clients that do not know it ignore it.
 */
export const CHORUS_PRESENCE_NS = 'urn:chorus:params:xml:ns:presence';
export const PIDF_CONTENT_TYPE = 'application/pidf+xml';

export const BasicStatusSchema = z.enum(['open', 'closed']);
export type BasicStatus = z.infer<typeof BasicStatusSchema>;

/** The RFC 4480 §3.2 <activities> values (plus `unknown`); `other` carries free text elsewhere. */
export const RPID_ACTIVITIES = [
  'appointment', 'away', 'breakfast', 'busy', 'dinner', 'holiday', 'in-transit', 'looking-for-work',
  'meal', 'meeting', 'on-the-phone', 'performance', 'permanent-absence', 'playing', 'presentation',
  'shopping', 'sleeping', 'spectator', 'steering', 'travel', 'tv', 'unknown', 'vacation', 'working',
  'worship', 'other',
] as const;
export const RpidActivitySchema = z.enum(RPID_ACTIVITIES);
export type RpidActivity = z.infer<typeof RpidActivitySchema>;

/**
 * OCS 2007 R2 availability: a number 0..18000 whose range names the state (3000-4499 available,
 * 4500-5999 idle, 6000-7499 busy, 7500-8999 busy-idle, 9000-11999 do not disturb, 12000-17999 away,
 * 18000 offline). Kept as the number, as OCS clients publish and compare it.
 */
export const AvailabilitySchema = z.number().int().min(0).max(18000);

/** A presentity or contact address: sip:, sips:, or the pres: URI of RFC 3859. */
export const PresenceUriSchema = z.string().regex(/^(sips?|pres):[^\s<>"]+$/, 'must be a sip:, sips: or pres: URI');

/** One <tuple> as read from a document. */
export interface PidfTuple {
  readonly id: string;
  /** <status><basic>; RFC 3863 lets a status omit it. */
  readonly basic: BasicStatus | undefined;
  readonly contact: string | undefined;
  readonly notes: readonly string[];
}

/** A PIDF document as Chorus understands it. */
export interface PidfDocument {
  readonly entity: string;
  readonly tuples: readonly PidfTuple[];
  /** Notes of the document and of its <dm:person> elements, in document order. */
  readonly notes: readonly string[];
  /** RPID activities of the <dm:person> elements (RFC 4480 names; unknown names are kept as sent). */
  readonly activities: readonly string[];
  /** Chorus/OCS availability, when the document carries the extension element. */
  readonly availability: number | undefined;
}

/** What a presence server knows about one presentity after aggregation, rendered by buildPidf. */
export const AggregatedPresenceSchema = z.object({
  entity: PresenceUriSchema,
  basic: BasicStatusSchema,
  note: z.string().optional(),
  activity: RpidActivitySchema.optional(),
  availability: AvailabilitySchema.optional(),
  /** Where to reach the presentity (tuple <contact>). */
  contact: PresenceUriSchema.optional(),
  /** XML ids (xs:ID: start with a letter or underscore). Defaults `t1` / `p1`. */
  tupleId: z.string().regex(/^[A-Za-z_][\w.-]*$/).default('t1'),
  personId: z.string().regex(/^[A-Za-z_][\w.-]*$/).default('p1'),
  /** Tuple <timestamp>, when the state last changed. */
  timestamp: z.date().optional(),
});
export type AggregatedPresence = z.input<typeof AggregatedPresenceSchema>;

/** Why a body is not an acceptable PIDF document; either way the presence server answers 400. */
export type PidfError =
  | { readonly kind: 'malformed-xml'; readonly message: string; readonly line?: number; readonly column?: number }
  | { readonly kind: 'invalid-pidf'; readonly message: string; readonly issues: readonly { readonly path: string; readonly message: string }[] };
