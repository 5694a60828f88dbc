import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import { defineSqlProjection } from '../framework/index.ts';
import {
  CREATE_DIRECTORY,
  DELETE_CREDENTIALS,
  DELETE_USER,
  DIRECTORY_TABLES,
  SELECT_USER_EXISTS,
  UPSERT_CREDENTIALS,
  UPSERT_PROVISIONED_USER,
  UPSERT_UPDATED_USER,
} from './directory-sql.ts';

export const DIRECTORY_PROJECTION = 'directory';

export const DIRECTORY_EVENT_TYPES = [
  'directory.user_provisioned.v1',
  'directory.user_updated.v1',
  'directory.user_deprovisioned.v1',
  'directory.credentials_set.v1',
] as const satisfies readonly DomainEvent['type'][];

export type DirectoryProjectionEvent = Extract<DomainEvent, { type: (typeof DIRECTORY_EVENT_TYPES)[number] }>;

/**
 * Users as the directory knows them: profile (SIP URI, display name, line URI,
 * Enterprise Voice, dial plan, voice policy, endpoint limit) and digest HA1s.
 * Timestamps are the events' `at`, never the clock, so a rebuild is byte-equal.
 */
export const directoryProjection = defineSqlProjection<DomainEvent, DirectoryProjectionEvent['type']>({
  name: DIRECTORY_PROJECTION,
  version: 1,
  tables: DIRECTORY_TABLES,
  schema: CREATE_DIRECTORY,
  canHandle: DIRECTORY_EVENT_TYPES,
  async handle(events, tx) {
    for (const e of events) {
      switch (e.type) {
        case 'directory.user_provisioned.v1':
        case 'directory.user_updated.v1': {
          const d = e.data;
          const provisioned = e.type === 'directory.user_provisioned.v1';
          const params = [d.sipUri, d.displayName, d.lineUri, d.enterpriseVoiceEnabled, d.dialPlan, d.voicePolicy, d.maxEndpoints, d.at];
          await tx.query(provisioned ? UPSERT_PROVISIONED_USER : UPSERT_UPDATED_USER, params);
          // Same rule as the view: provisioning starts without credentials.
          if (provisioned) await tx.query(DELETE_CREDENTIALS, [d.sipUri]);
          break;
        }
        case 'directory.user_deprovisioned.v1':
          await tx.query(DELETE_CREDENTIALS, [e.data.sipUri]);
          await tx.query(DELETE_USER, [e.data.sipUri]);
          break;
        case 'directory.credentials_set.v1': {
          const d = e.data;
          const { rows } = await tx.query(SELECT_USER_EXISTS, [d.sipUri]);
          // The user decider never writes this for an absent user: the log is corrupt, stop here.
          if (rows.length === 0) throw new Error(`directory: credentials set for unknown user ${d.sipUri} at position ${e.globalPosition}`);
          await tx.query(UPSERT_CREDENTIALS, [d.sipUri, d.realm, d.ha1Md5, d.ha1Sha256, d.at]);
          break;
        }
        default: {
          const unreachable: never = e;
          throw new Error(`directory: unhandled event ${JSON.stringify(unreachable)}`);
        }
      }
    }
  },
});
