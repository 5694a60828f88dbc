/**
 * One projector process for the Pool tests (spawned with `node --import tsx`):
 * runs every domain projection from the Kafka topic into DATABASE_URL and
 * reports, one JSON line each on stdout, `started`, every `assigned` change and
 * every `applied` batch, so the test can see who does what. SIGTERM closes it
 * cleanly; the tests also SIGKILL it.
 *
 * Environment: DATABASE_URL, KAFKA_BROKERS, CHORUS_KAFKA_TOPIC, CHORUS_NODE_ID,
 * CHORUS_KAFKA_SESSION_TIMEOUT_MS (see src/pool/kafka-config.ts), POOL_GROUP_PREFIX.
 */
import process from 'node:process';
import { domainCatalogue, type DomainEvent } from '../../../src/events/domain/domain-catalogue.ts';
import { loadKafkaConfig } from '../../../src/pool/kafka-config.ts';
import { Projector } from '../../../src/pool/projector/projector.ts';
import { domainProjections } from '../../../src/projections/domain-projections.ts';
import { PgClient } from '../../../src/storage/pg-client.ts';
import { silentLogger } from '../silent-logger.ts';

const say = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
};

const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const client = new PgClient({ connectionString: databaseUrl, max: 4, applicationName: 'chorus-test-projector' });
const projector = new Projector<DomainEvent>({
  kafka: loadKafkaConfig(),
  client,
  catalogue: domainCatalogue,
  projections: domainProjections,
  ...(process.env['POOL_GROUP_PREFIX'] ? { groupPrefix: process.env['POOL_GROUP_PREFIX'] } : {}),
  logger: silentLogger,
});
projector.on('assigned', (a) => say({ event: 'assigned', ...a }));
projector.on('applied', (b) => say({ event: 'applied', ...b }));
projector.on('failed', (e) => say({ event: 'failed', error: e.message }));

process.once('SIGTERM', () => {
  void projector.close().then(
    () => client.close(),
    () => client.close(),
  ).finally(() => process.exit(0));
});

try {
  await projector.start();
  say({ event: 'started', worker: projector.workerId });
} catch (error) {
  say({ event: 'failed', error: error instanceof Error ? error.message : String(error) });
  await client.close();
  process.exit(1);
}
