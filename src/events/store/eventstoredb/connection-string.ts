import { InvalidArgumentError } from '../../errors.ts';

const SCHEME = /^(esdb|kurrentdb|kdb)(\+discover)?:\/\//;

/**
 * KurrentDB (the renamed EventStoreDB) documents `kurrentdb://` and `kdb://`
 * connection strings; @eventstore/db-client 6.x only parses `esdb://`. The
 * syntax after the scheme is the same, so the scheme is rewritten.
 */
export function toClientConnectionString(connectionString: string): string {
  const match = SCHEME.exec(connectionString);
  if (!match)
    throw new InvalidArgumentError('EventStoreDB connection string must start with esdb://, kurrentdb:// or kdb://');
  return `esdb${match[2] ?? ''}://${connectionString.slice(match[0].length)}`;
}
