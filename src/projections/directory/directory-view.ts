import { z } from 'zod';
import { UserProfileSchema } from '../../events/domain/directory-events.ts';
import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { SqlClient, SqlTransaction } from '../../storage/sql-client.ts';
import { defineInMemoryView, seedFromSqlProjection, type ViewSeed } from '../framework/index.ts';
import { DIRECTORY_EVENT_TYPES, DIRECTORY_PROJECTION, type DirectoryProjectionEvent } from './directory-projection.ts';
import { SELECT_DIRECTORY_ENTRIES } from './directory-sql.ts';
import { digestCredentials, initialDirectoryState, type DirectoryState } from './directory-state.ts';

/** Unique among projections and views; the SQL projection is `directory`. */
export const DIRECTORY_VIEW = 'directory_view';

function unknownUser(sipUri: string, event: { type: string; globalPosition: bigint }): Error {
  return new Error(`directory view: ${event.type} for unknown user ${sipUri} at position ${event.globalPosition}`);
}

/**
 * The registrar's directory in memory: who exists and their digest HA1s.
 * Change keys are SIP URIs. Mirrors `directoryProjection` rule for rule, so
 * `directorySeed` can load it from that projection's tables.
 */
export const directoryView = defineInMemoryView<DomainEvent, DirectoryState, string, DirectoryProjectionEvent['type']>({
  name: DIRECTORY_VIEW,
  canHandle: DIRECTORY_EVENT_TYPES,
  initialState: initialDirectoryState,
  apply(state, e) {
    switch (e.type) {
      case 'directory.user_provisioned.v1': {
        const { at: _at, ...profile } = e.data;
        state.set(profile.sipUri, { profile, credentials: null });
        return [profile.sipUri];
      }
      case 'directory.user_updated.v1': {
        const { at: _at, ...profile } = e.data;
        state.set(profile.sipUri, { profile, credentials: state.get(profile.sipUri)?.credentials ?? null });
        return [profile.sipUri];
      }
      case 'directory.user_deprovisioned.v1':
        state.delete(e.data.sipUri);
        return [e.data.sipUri];
      case 'directory.credentials_set.v1': {
        const { sipUri, realm, ha1Md5, ha1Sha256 } = e.data;
        const entry = state.get(sipUri);
        if (!entry) throw unknownUser(sipUri, e);
        state.set(sipUri, { profile: entry.profile, credentials: digestCredentials(realm, ha1Md5, ha1Sha256) });
        return [sipUri];
      }
      default: {
        const unreachable: never = e;
        throw new Error(`directory view: unhandled event ${JSON.stringify(unreachable)}`);
      }
    }
  },
});

const EntryRow = z.object({
  sip_uri: z.string(),
  display_name: z.string(),
  line_uri: z.string().nullable(),
  enterprise_voice_enabled: z.boolean(),
  dial_plan: z.string().nullable(),
  voice_policy: z.string().nullable(),
  max_endpoints: z.coerce.number(),
  realm: z.string().nullable(),
  ha1_md5: z.string().nullable(),
  ha1_sha256: z.string().nullable(),
});

/** Builds from the `directory` tables exactly the state `directoryView.apply` builds from the log. */
export async function loadDirectoryState(tx: Pick<SqlTransaction, 'query'>): Promise<DirectoryState> {
  const state = initialDirectoryState();
  const { rows } = await tx.query(SELECT_DIRECTORY_ENTRIES);
  for (const raw of rows) {
    const r = EntryRow.parse(raw);
    // Parsed with the event's own schema: the view holds nothing an event could not have carried.
    const profile = UserProfileSchema.parse({
      sipUri: r.sip_uri,
      displayName: r.display_name,
      lineUri: r.line_uri,
      enterpriseVoiceEnabled: r.enterprise_voice_enabled,
      dialPlan: r.dial_plan,
      voicePolicy: r.voice_policy,
      maxEndpoints: r.max_endpoints,
    });
    const credentials =
      r.realm !== null && r.ha1_md5 !== null && r.ha1_sha256 !== null ? digestCredentials(r.realm, r.ha1_md5, r.ha1_sha256) : null;
    state.set(profile.sipUri, { profile, credentials });
  }
  return state;
}

/** Seeds `directoryView` from the `directory` projection instead of replaying the log. */
export function directorySeed(client: SqlClient): ViewSeed<DirectoryState> {
  return seedFromSqlProjection(client, DIRECTORY_PROJECTION, loadDirectoryState);
}
