import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { defineSqlProjection, writeBulk } from '../framework/index.ts';
import { dayOf } from './analytics-buckets.ts';

/**
 * IM volume per user per UTC day: sessions started, messages sent, and
 * messages received (one per recipient the message was delivered to — a
 * failed delivery is not received). Archiving does not matter here: the
 * counts come from the events, never from message bodies.
 */
export const IM_ANALYTICS_TABLES = ['analytics_im_daily'] as const;

const CREATE = /* sql */ `
CREATE TABLE analytics_im_daily (
  day               date    NOT NULL,
  sip_uri           text    NOT NULL,
  sessions_started  integer NOT NULL,
  messages_sent     integer NOT NULL,
  messages_received integer NOT NULL,
  PRIMARY KEY (day, sip_uri)
);`;

// Additive: each batch adds its counts to the day's row.
const ADD_DAILY = /* sql */ `
INSERT INTO analytics_im_daily (day, sip_uri, sessions_started, messages_sent, messages_received)
SELECT r.day, r.sip_uri, r.sessions_started, r.messages_sent, r.messages_received
FROM json_to_recordset($1::json) AS r (day date, sip_uri text, sessions_started integer, messages_sent integer, messages_received integer)
ON CONFLICT (day, sip_uri) DO UPDATE SET
  sessions_started  = analytics_im_daily.sessions_started + EXCLUDED.sessions_started,
  messages_sent     = analytics_im_daily.messages_sent + EXCLUDED.messages_sent,
  messages_received = analytics_im_daily.messages_received + EXCLUDED.messages_received`;

type ImAnalyticsEventType = 'im.session_started.v1' | 'im.message_sent.v1' | 'im.message_delivered.v1';
type Counts = { sessions_started: number; messages_sent: number; messages_received: number };

export const imAnalyticsProjection = defineSqlProjection<DomainEvent, ImAnalyticsEventType>({
  name: 'analytics_im',
  version: 1,
  tables: IM_ANALYTICS_TABLES,
  schema: CREATE,
  canHandle: ['im.session_started.v1', 'im.message_sent.v1', 'im.message_delivered.v1'],
  async handle(events, tx) {
    const counts = new Map<string, Counts>();
    const count = (day: string, sipUri: string, field: keyof Counts) => {
      const key = JSON.stringify([day, sipUri]);
      const row = counts.get(key) ?? { sessions_started: 0, messages_sent: 0, messages_received: 0 };
      row[field] += 1;
      counts.set(key, row);
    };
    for (const e of events) {
      const day = dayOf(e.data.at);
      switch (e.type) {
        case 'im.session_started.v1':
          count(day, e.data.initiator, 'sessions_started');
          break;
        case 'im.message_sent.v1':
          count(day, e.data.sender, 'messages_sent');
          break;
        case 'im.message_delivered.v1':
          count(day, e.data.recipient, 'messages_received');
          break;
        default: {
          const unreachable: never = e;
          throw new Error(`analytics_im: unhandled ${JSON.stringify(unreachable)}`);
        }
      }
    }
    const rows = [...counts].map(([key, c]) => {
      const [day, sip_uri] = JSON.parse(key) as [string, string];
      return { day, sip_uri, ...c };
    });
    await writeBulk(tx, ADD_DAILY, rows);
  },
});
