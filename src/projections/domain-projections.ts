import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { SqlProjection } from './framework/index.ts';
import { locationProjection } from './location/location-sql-projection.ts';
import { presenceProjection } from './presence/presence-sql-projection.ts';
import { directoryProjection } from './directory/directory-projection.ts';
import { routingProjection } from './routing/routing-projection.ts';
import { conferenceRosterProjection } from './conference-roster/conference-roster-projection.ts';
import { activeCallsProjection } from './active-calls/active-calls-projection.ts';
import { cdrProjection } from './cdr/cdr-projection.ts';
import { auditTimelineProjection } from './audit-timeline/audit-timeline-projection.ts';
import {
  callAnalyticsProjection,
  conferenceAnalyticsProjection,
  imAnalyticsProjection,
  presenceAnalyticsProjection,
} from './analytics/index.ts';

/**
 * Every SQL read model of the domain, in the order they start. The Standard
 * Edition, the projector role, the CLI's offline backend and bench:projections
 * all take the list from here, so a projection added to it is built from
 * position 0 everywhere on the next start.
 */
export const domainProjections: readonly SqlProjection<DomainEvent>[] = [
  directoryProjection,
  routingProjection,
  presenceProjection,
  locationProjection,
  conferenceRosterProjection,
  activeCallsProjection,
  cdrProjection,
  auditTimelineProjection,
  // Analytics (issue 6): added after the fact, they build from position 0 on the next start like any other.
  callAnalyticsProjection,
  presenceAnalyticsProjection,
  imAnalyticsProjection,
  conferenceAnalyticsProjection,
];
