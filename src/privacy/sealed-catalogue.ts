import { z } from 'zod';
import type { EventCatalogue } from '../events/catalogue.ts';
import type { EventShape } from '../events/envelope.ts';
import { erasedData } from './personal-data-sealer.ts';
import { personalFieldsOf } from './personal-fields.ts';

/**
 * The catalogue the log adapter checks stored events with: the same types,
 * where a sealed personal field may hold a token. The stored data is valid
 * when the event, with every token replaced by its erased placeholder, passes
 * the domain schema; it is returned as stored (tokens intact). Types without
 * personal fields keep their schema as is.
 */
export function sealedCatalogue(domain: EventCatalogue<EventShape>): EventCatalogue<EventShape> {
  return domain.mapSchemas((type, schema) => {
    if (personalFieldsOf(type).length === 0) return schema;
    return z.unknown().superRefine((data, ctx) => {
      const result = schema.safeParse(erasedData(type, data));
      if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message });
    });
  });
}
