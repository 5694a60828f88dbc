import { z } from 'zod';

/**
 * A global log position on the wire: a decimal string, because positions are
 * bigint and JSON numbers lose precision past 2^53. Routes send `String(position)`.
 */
export const LogPositionSchema = z.string().regex(/^(0|[1-9][0-9]*)$/, 'must be a decimal log position');
