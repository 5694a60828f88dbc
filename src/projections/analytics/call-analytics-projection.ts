import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { BatchRows, bulkUpsertSql, defineSqlProjection, type BulkTable } from '../framework/index.ts';
import { isoInstantSql, hourOf } from './analytics-buckets.ts';

/**
 * Call analytics: one fact row per call and an hourly rollup by the hour the
 * call started (its seizure). Answer-seizure ratio is answered / attempts of
 * an hour; durations are the answered calls' whole seconds from answer to end
 * (the `call.ended` event's `durationSeconds`), kept per call so any
 * percentile can be asked for afterwards.
 */
export const CALL_ANALYTICS_TABLES = ['analytics_call_facts', 'analytics_calls_hourly'] as const;

const CREATE = /* sql */ `
CREATE TABLE analytics_call_facts (
  sip_call_id      text        PRIMARY KEY,
  started_at       timestamptz NOT NULL,
  hour             timestamptz NOT NULL,
  answered         boolean     NOT NULL,
  ended            boolean     NOT NULL,
  duration_seconds integer,
  end_cause        text
);
CREATE INDEX analytics_call_facts_started ON analytics_call_facts (started_at);
CREATE TABLE analytics_calls_hourly (
  hour         timestamptz PRIMARY KEY,
  attempts     integer     NOT NULL,
  answered     integer     NOT NULL,
  completed    integer     NOT NULL,
  talk_seconds bigint      NOT NULL
);`;

const FACTS: BulkTable = {
  name: 'analytics_call_facts',
  columns: {
    sip_call_id: 'text',
    started_at: 'timestamptz',
    hour: 'timestamptz',
    answered: 'boolean',
    ended: 'boolean',
    duration_seconds: 'integer',
    end_cause: 'text',
  },
  key: ['sip_call_id'],
};
const HOURLY: BulkTable = {
  name: 'analytics_calls_hourly',
  columns: { hour: 'timestamptz', attempts: 'integer', answered: 'integer', completed: 'integer', talk_seconds: 'bigint' },
  key: ['hour'],
};

const UPSERT_FACTS = bulkUpsertSql(FACTS);
const UPSERT_HOURLY = bulkUpsertSql(HOURLY);
// Instants read back as the ISO spelling the batch keys them by, so they write back unchanged.
const SELECT_FACTS = /* sql */ `
SELECT sip_call_id, ${isoInstantSql('started_at')} AS started_at, ${isoInstantSql('hour')} AS hour, answered, ended, duration_seconds, end_cause
FROM analytics_call_facts WHERE sip_call_id = ANY($1::text[])`;
const SELECT_HOURLY = /* sql */ `
SELECT ${isoInstantSql('hour')} AS hour, attempts, answered, completed, talk_seconds::text AS talk_seconds
FROM analytics_calls_hourly WHERE hour = ANY($1::timestamptz[])`;

type CallAnalyticsEventType = 'call.initiated.v1' | 'call.answered.v1' | 'call.ended.v1';

export const callAnalyticsProjection = defineSqlProjection<DomainEvent, CallAnalyticsEventType>({
  name: 'analytics_calls',
  version: 1,
  tables: CALL_ANALYTICS_TABLES,
  schema: CREATE,
  canHandle: ['call.initiated.v1', 'call.answered.v1', 'call.ended.v1'],
  async handle(events, tx) {
    const facts = new BatchRows('analytics_calls: call');
    await facts.load(tx, SELECT_FACTS, new Set(events.map((e) => e.data.sipCallId)));
    const hours = new Set(events.flatMap((e) => (e.type === 'call.initiated.v1' ? [hourOf(e.data.at)] : [])));
    for (const row of facts.values()) hours.add(String(row['hour']));
    const hourly = new BatchRows('analytics_calls: hour', (row) => String(row['hour']));
    await hourly.load(tx, SELECT_HOURLY, hours);
    const bump = (hour: string, change: (row: Record<string, unknown>) => void) =>
      hourly.upsert(hour, () => ({ hour, attempts: 0, answered: 0, completed: 0, talk_seconds: 0 }), change);

    for (const e of events) {
      switch (e.type) {
        case 'call.initiated.v1': {
          const hour = hourOf(e.data.at);
          facts.insert(e.data.sipCallId, {
            sip_call_id: e.data.sipCallId,
            started_at: new Date(e.data.at).toISOString(),
            hour,
            answered: false,
            ended: false,
            duration_seconds: null,
            end_cause: null,
          });
          bump(hour, (row) => (row['attempts'] = Number(row['attempts']) + 1));
          break;
        }
        case 'call.answered.v1':
          // The first answer is the seizure's answer; a transferred call answered again is still one answered call.
          facts.update(e.data.sipCallId, e.type, (fact) => {
            if (fact['answered'] === true) return;
            fact['answered'] = true;
            bump(String(fact['hour']), (row) => (row['answered'] = Number(row['answered']) + 1));
          });
          break;
        case 'call.ended.v1':
          facts.update(e.data.sipCallId, e.type, (fact) => {
            if (fact['ended'] === true) throw new Error(`analytics_calls: ${e.data.sipCallId} ended twice`);
            Object.assign(fact, { ended: true, end_cause: e.data.cause, duration_seconds: fact['answered'] === true ? e.data.durationSeconds : null });
            if (fact['answered'] !== true) return;
            bump(String(fact['hour']), (row) => {
              row['completed'] = Number(row['completed']) + 1;
              row['talk_seconds'] = Number(row['talk_seconds']) + e.data.durationSeconds;
            });
          });
          break;
        default: {
          const unreachable: never = e;
          throw new Error(`analytics_calls: unhandled ${JSON.stringify(unreachable)}`);
        }
      }
    }
    await facts.write(tx, UPSERT_FACTS);
    await hourly.write(tx, UPSERT_HOURLY);
  },
});
