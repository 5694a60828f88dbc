import type { DomainEvent } from '../../events/domain/domain-catalogue.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { SqlTransaction } from '../../storage/sql-client.ts';
import { defineSqlProjection } from '../framework/index.ts';
import { lineNumberKey } from './number-key.ts';
import {
  CREATE_ROUTING,
  DELETE_DIAL_PLAN,
  DELETE_DIAL_PLAN_RULES,
  DELETE_GATEWAY,
  DELETE_PSTN_ROUTE,
  DELETE_USER,
  DELETE_VOICE_POLICY,
  INSERT_DIAL_PLAN_RULE,
  ROUTING_TABLES,
  SET_DELEGATES,
  SET_FORWARDING,
  SET_SIMULTANEOUS_RING,
  SET_TEAM_CALL,
  UPSERT_DIAL_PLAN,
  UPSERT_GATEWAY,
  UPSERT_PROVISIONED_USER,
  UPSERT_PSTN_ROUTE,
  UPSERT_UPDATED_USER,
  UPSERT_VOICE_POLICY,
} from './routing-sql.ts';

export const ROUTING_PROJECTION = 'routing';

export const ROUTING_EVENT_TYPES = [
  'directory.user_provisioned.v1',
  'directory.user_updated.v1',
  'directory.user_deprovisioned.v1',
  'voice.forwarding_set.v1',
  'voice.simultaneous_ring_set.v1',
  'voice.delegates_set.v1',
  'voice.team_call_set.v1',
  'voice.dial_plan_defined.v1',
  'voice.dial_plan_updated.v1',
  'voice.dial_plan_removed.v1',
  'voice.policy_defined.v1',
  'voice.policy_updated.v1',
  'voice.policy_removed.v1',
  'voice.pstn_route_defined.v1',
  'voice.pstn_route_updated.v1',
  'voice.pstn_route_removed.v1',
  'voice.gateway_defined.v1',
  'voice.gateway_updated.v1',
  'voice.gateway_removed.v1',
] as const satisfies readonly DomainEvent['type'][];

export type RoutingProjectionEvent = Extract<DomainEvent, { type: (typeof ROUTING_EVENT_TYPES)[number] }>;

/** jsonb parameters go as JSON text: pg and PGlite then store the same value. */
function json(value: readonly string[]): string {
  return JSON.stringify(value);
}

/** Runs a voice.*_set UPDATE; no row means the user is unknown, which the user decider never allows. */
async function updateUser(tx: SqlTransaction, sql: string, params: readonly unknown[], e: RecordedEvent<RoutingProjectionEvent>): Promise<void> {
  const { rows } = await tx.query(sql, params);
  if (rows.length === 0)
    throw new Error(`routing: ${e.type} for unknown user ${String(params[0])} at position ${e.globalPosition}`);
}

/**
 * Everything the call router reads, as tables: users by line number with their
 * forwarding / simultaneous ring / delegates / team call, dial plans with
 * ordered rules, voice policies, PSTN routes and gateways. No clock: nothing
 * here depends on when the projection ran.
 */
export const routingProjection = defineSqlProjection<DomainEvent, RoutingProjectionEvent['type']>({
  name: ROUTING_PROJECTION,
  version: 1,
  tables: ROUTING_TABLES,
  schema: CREATE_ROUTING,
  canHandle: ROUTING_EVENT_TYPES,
  async handle(events, tx) {
    for (const e of events) {
      switch (e.type) {
        case 'directory.user_provisioned.v1':
        case 'directory.user_updated.v1': {
          const d = e.data;
          const sql = e.type === 'directory.user_provisioned.v1' ? UPSERT_PROVISIONED_USER : UPSERT_UPDATED_USER;
          const lineNumber = d.lineUri === null ? null : lineNumberKey(d.lineUri);
          await tx.query(sql, [d.sipUri, d.lineUri, lineNumber, d.enterpriseVoiceEnabled, d.dialPlan, d.voicePolicy]);
          break;
        }
        case 'directory.user_deprovisioned.v1':
          await tx.query(DELETE_USER, [e.data.sipUri]);
          break;
        case 'voice.forwarding_set.v1': {
          const d = e.data;
          const params = [d.sipUri, d.immediate, d.noAnswer?.target ?? null, d.noAnswer?.afterSeconds ?? null, d.busy, d.unreachable];
          await updateUser(tx, SET_FORWARDING, params, e);
          break;
        }
        case 'voice.simultaneous_ring_set.v1':
          await updateUser(tx, SET_SIMULTANEOUS_RING, [e.data.sipUri, json(e.data.targets)], e);
          break;
        case 'voice.delegates_set.v1':
          await updateUser(tx, SET_DELEGATES, [e.data.sipUri, json(e.data.delegates)], e);
          break;
        case 'voice.team_call_set.v1':
          await updateUser(tx, SET_TEAM_CALL, [e.data.sipUri, json(e.data.members), e.data.ringAfterSeconds], e);
          break;
        case 'voice.dial_plan_defined.v1':
        case 'voice.dial_plan_updated.v1': {
          const d = e.data;
          await tx.query(UPSERT_DIAL_PLAN, [d.name, d.description]);
          await tx.query(DELETE_DIAL_PLAN_RULES, [d.name]);
          for (const [ordinal, rule] of d.rules.entries())
            await tx.query(INSERT_DIAL_PLAN_RULE, [d.name, ordinal, rule.pattern, rule.translation, rule.description]);
          break;
        }
        case 'voice.dial_plan_removed.v1':
          await tx.query(DELETE_DIAL_PLAN_RULES, [e.data.name]);
          await tx.query(DELETE_DIAL_PLAN, [e.data.name]);
          break;
        case 'voice.policy_defined.v1':
        case 'voice.policy_updated.v1': {
          const d = e.data;
          const f = d.features;
          await tx.query(UPSERT_VOICE_POLICY, [
            d.name,
            d.description,
            json(d.pstnUsages),
            f.forwarding,
            f.simultaneousRing,
            f.delegation,
            f.teamCall,
            f.callPark,
          ]);
          break;
        }
        case 'voice.policy_removed.v1':
          await tx.query(DELETE_VOICE_POLICY, [e.data.name]);
          break;
        case 'voice.pstn_route_defined.v1':
        case 'voice.pstn_route_updated.v1': {
          const d = e.data;
          await tx.query(UPSERT_PSTN_ROUTE, [d.name, d.description, d.priority, d.numberPattern, json(d.pstnUsages), json(d.gateways)]);
          break;
        }
        case 'voice.pstn_route_removed.v1':
          await tx.query(DELETE_PSTN_ROUTE, [e.data.name]);
          break;
        case 'voice.gateway_defined.v1':
        case 'voice.gateway_updated.v1':
          await tx.query(UPSERT_GATEWAY, [e.data.name, e.data.address, e.data.transport]);
          break;
        case 'voice.gateway_removed.v1':
          await tx.query(DELETE_GATEWAY, [e.data.name]);
          break;
        default: {
          const unreachable: never = e;
          throw new Error(`routing: unhandled event ${JSON.stringify(unreachable)}`);
        }
      }
    }
  },
});
