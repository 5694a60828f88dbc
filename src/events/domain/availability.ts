import { z } from 'zod';

/**
 * OCS 2007 R2 presence is a number on the "availability ladder"; clients show
 * it as one of a few states. Chorus stores both: the code the client sent (so
 * nothing is lost) and the state it means (so projections never re-derive it).
 */
export const AvailabilitySchema = z.enum(['available', 'busy', 'do_not_disturb', 'be_right_back', 'away', 'offline']);
export type Availability = z.infer<typeof AvailabilitySchema>;

/** Codes below 3000 are reserved by the ladder; 18000 and above all mean offline. */
export const AvailabilityCodeSchema = z.number().int().min(3000).max(19999);

/** The code published for a state given by name: the middle of its band, as Communicator does. */
export const AVAILABILITY_CODES: Readonly<Record<Availability, number>> = {
  available: 3500,
  busy: 6500,
  do_not_disturb: 9500,
  be_right_back: 12500,
  away: 15500,
  offline: 18500,
};

/**
 * The state a ladder code means. 4500-5999 is "available, idle" and 7500-8999
 * "busy, idle"; Communicator shows the first as inactive (yellow), so it maps to
 * `away`, and the second stays `busy`.
 */
export function availabilityOfCode(code: number): Availability {
  if (code < 3000) throw new RangeError(`availability code ${code} is below the ladder (3000)`);
  if (code < 4500) return 'available';
  if (code < 6000) return 'away';
  if (code < 9000) return 'busy';
  if (code < 12000) return 'do_not_disturb';
  if (code < 15000) return 'be_right_back';
  if (code < 18000) return 'away';
  return 'offline';
}
