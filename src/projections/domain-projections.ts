import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { SqlProjection } from './framework/index.ts';

/**
 * Every SQL read model of the domain, in the order they start. The Standard
 * Edition, the projector role, the CLI's offline backend and bench:projections
 * all take the list from here, so a projection added to it is built from
 * position 0 everywhere on the next start.
 */
export const domainProjections: readonly SqlProjection<DomainEvent>[] = [
];
