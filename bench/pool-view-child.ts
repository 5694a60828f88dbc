/**
 * bench:pool's remote observer: the presence view exactly as a front end runs it (an InMemoryView
 * over a KafkaViewFeed: the topic for events, the shared PostgreSQL log for the head), in a
 * process of its own. Reports on IPC each time the view's position moves (PoolViewReport).
 *
 * Environment: DATABASE_URL (the log), and the pool's KAFKA_BROKERS, CHORUS_KAFKA_* variables.
 */
import { pino } from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { openEventStorage } from '../src/edition/event-storage.ts';
import { domainCatalogue, type DomainEvent } from '../src/events/domain/domain-catalogue.ts';
import { KafkaViewFeed } from '../src/pool/frontend/kafka-view-feed.ts';
import { loadKafkaConfig } from '../src/pool/kafka-config.ts';
import { createHotPathViews } from '../src/projections/hot-path-views.ts';
import { wallClockMs, type PoolViewReport } from './pool-view-protocol.ts';

const send = (report: PoolViewReport): void => void process.send?.(report);
const silent = pino({ level: 'silent' });

async function main(): Promise<void> {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is required');
  // As a front end opens the shared log: the feed reads the head from it.
  const storage = await openEventStorage(loadConfig({ CHORUS_STORE: 'postgres', DATABASE_URL: url }));
  const { store } = storage;
  const feed = await KafkaViewFeed.open<DomainEvent>({ store, kafka: loadKafkaConfig(process.env), catalogue: domainCatalogue, keys: storage.dataKeys, logger: silent });
  // No SQL client: replay from position 0 (the topic), as a front end does before the projector's first checkpoint.
  const { presence } = createHotPathViews({ store: feed, logger: silent });
  await presence.start();
  await presence.waitForPosition(await store.headPosition(), 60_000);
  send({ type: 'ready', position: String(presence.position) });
  process.on('disconnect', () => void Promise.allSettled([presence.close(), feed.close()]).then(() => storage.close()).finally(() => process.exit(0)));
  for (;;) {
    await presence.waitForPosition(presence.position + 1n, 24 * 3_600_000);
    send({ type: 'visible', position: String(presence.position), at: wallClockMs() });
  }
}

main().catch((error: unknown) => {
  send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 200);
});
