/**
 * SQL of the `routing` projection. Ordered lists of names (PSTN usages,
 * gateways, ring targets, delegates, team members) are jsonb arrays: their
 * order is meaning, and `pstn_usages ? 'Local'` still finds them. Dial plan
 * rules have several fields each, so they get a table with an ordinal.
 */

export const ROUTING_TABLES = [
  'routing_users',
  'routing_dial_plans',
  'routing_dial_plan_rules',
  'routing_voice_policies',
  'routing_pstn_routes',
  'routing_gateways',
] as const;

export const CREATE_ROUTING = /* sql */ `
CREATE TABLE routing_users (
  sip_uri                   text    PRIMARY KEY,
  line_uri                  text,
  -- The reverse-lookup key: the line URI without "tel:" (see number-key.ts).
  line_number               text,
  enterprise_voice_enabled  boolean NOT NULL,
  dial_plan                 text,
  voice_policy              text,
  forward_immediate         text,
  forward_no_answer_target  text,
  forward_no_answer_seconds integer,
  forward_busy              text,
  forward_unreachable       text,
  simultaneous_ring         jsonb   NOT NULL,
  delegates                 jsonb   NOT NULL,
  team_members              jsonb   NOT NULL,
  team_ring_after_seconds   integer NOT NULL
);
CREATE INDEX routing_users_line_number ON routing_users (line_number);
CREATE TABLE routing_dial_plans (
  name        text PRIMARY KEY,
  description text
);
CREATE TABLE routing_dial_plan_rules (
  dial_plan   text    NOT NULL REFERENCES routing_dial_plans (name) ON DELETE CASCADE,
  ordinal     integer NOT NULL,
  pattern     text    NOT NULL,
  translation text    NOT NULL,
  description text,
  PRIMARY KEY (dial_plan, ordinal)
);
CREATE TABLE routing_voice_policies (
  name              text    PRIMARY KEY,
  description       text,
  pstn_usages       jsonb   NOT NULL,
  forwarding        boolean NOT NULL,
  simultaneous_ring boolean NOT NULL,
  delegation        boolean NOT NULL,
  team_call         boolean NOT NULL,
  call_park         boolean NOT NULL
);
CREATE TABLE routing_pstn_routes (
  name           text    PRIMARY KEY,
  description    text,
  priority       integer NOT NULL,
  number_pattern text    NOT NULL,
  pstn_usages    jsonb   NOT NULL,
  gateways       jsonb   NOT NULL
);
CREATE INDEX routing_pstn_routes_order ON routing_pstn_routes (priority, name);
CREATE TABLE routing_gateways (
  name      text PRIMARY KEY,
  address   text NOT NULL,
  transport text NOT NULL
);`;

/** Provisioning starts with no per-user voice settings; an update keeps them. */
export const UPSERT_PROVISIONED_USER = /* sql */ `
INSERT INTO routing_users (sip_uri, line_uri, line_number, enterprise_voice_enabled, dial_plan, voice_policy,
                           simultaneous_ring, delegates, team_members, team_ring_after_seconds)
VALUES ($1, $2, $3, $4, $5, $6, '[]', '[]', '[]', 0)
ON CONFLICT (sip_uri) DO UPDATE SET
  line_uri = EXCLUDED.line_uri, line_number = EXCLUDED.line_number,
  enterprise_voice_enabled = EXCLUDED.enterprise_voice_enabled,
  dial_plan = EXCLUDED.dial_plan, voice_policy = EXCLUDED.voice_policy,
  forward_immediate = NULL, forward_no_answer_target = NULL, forward_no_answer_seconds = NULL,
  forward_busy = NULL, forward_unreachable = NULL,
  simultaneous_ring = '[]', delegates = '[]', team_members = '[]', team_ring_after_seconds = 0`;

export const UPSERT_UPDATED_USER = /* sql */ `
INSERT INTO routing_users (sip_uri, line_uri, line_number, enterprise_voice_enabled, dial_plan, voice_policy,
                           simultaneous_ring, delegates, team_members, team_ring_after_seconds)
VALUES ($1, $2, $3, $4, $5, $6, '[]', '[]', '[]', 0)
ON CONFLICT (sip_uri) DO UPDATE SET
  line_uri = EXCLUDED.line_uri, line_number = EXCLUDED.line_number,
  enterprise_voice_enabled = EXCLUDED.enterprise_voice_enabled,
  dial_plan = EXCLUDED.dial_plan, voice_policy = EXCLUDED.voice_policy`;

export const DELETE_USER = /* sql */ `DELETE FROM routing_users WHERE sip_uri = $1`;

// The voice.*_set updates return the key so the handler can tell an unknown user (a corrupt log).
export const SET_FORWARDING = /* sql */ `
UPDATE routing_users SET forward_immediate = $2, forward_no_answer_target = $3, forward_no_answer_seconds = $4,
                         forward_busy = $5, forward_unreachable = $6
WHERE sip_uri = $1 RETURNING sip_uri`;

export const SET_SIMULTANEOUS_RING = /* sql */ `
UPDATE routing_users SET simultaneous_ring = $2::jsonb WHERE sip_uri = $1 RETURNING sip_uri`;

export const SET_DELEGATES = /* sql */ `
UPDATE routing_users SET delegates = $2::jsonb WHERE sip_uri = $1 RETURNING sip_uri`;

export const SET_TEAM_CALL = /* sql */ `
UPDATE routing_users SET team_members = $2::jsonb, team_ring_after_seconds = $3 WHERE sip_uri = $1 RETURNING sip_uri`;

export const UPSERT_DIAL_PLAN = /* sql */ `
INSERT INTO routing_dial_plans (name, description) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description`;

export const DELETE_DIAL_PLAN_RULES = /* sql */ `DELETE FROM routing_dial_plan_rules WHERE dial_plan = $1`;

export const INSERT_DIAL_PLAN_RULE = /* sql */ `
INSERT INTO routing_dial_plan_rules (dial_plan, ordinal, pattern, translation, description) VALUES ($1, $2, $3, $4, $5)`;

export const DELETE_DIAL_PLAN = /* sql */ `DELETE FROM routing_dial_plans WHERE name = $1`;

export const UPSERT_VOICE_POLICY = /* sql */ `
INSERT INTO routing_voice_policies (name, description, pstn_usages, forwarding, simultaneous_ring, delegation, team_call, call_park)
VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8)
ON CONFLICT (name) DO UPDATE SET
  description = EXCLUDED.description, pstn_usages = EXCLUDED.pstn_usages, forwarding = EXCLUDED.forwarding,
  simultaneous_ring = EXCLUDED.simultaneous_ring, delegation = EXCLUDED.delegation,
  team_call = EXCLUDED.team_call, call_park = EXCLUDED.call_park`;

export const DELETE_VOICE_POLICY = /* sql */ `DELETE FROM routing_voice_policies WHERE name = $1`;

export const UPSERT_PSTN_ROUTE = /* sql */ `
INSERT INTO routing_pstn_routes (name, description, priority, number_pattern, pstn_usages, gateways)
VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
ON CONFLICT (name) DO UPDATE SET
  description = EXCLUDED.description, priority = EXCLUDED.priority, number_pattern = EXCLUDED.number_pattern,
  pstn_usages = EXCLUDED.pstn_usages, gateways = EXCLUDED.gateways`;

export const DELETE_PSTN_ROUTE = /* sql */ `DELETE FROM routing_pstn_routes WHERE name = $1`;

export const UPSERT_GATEWAY = /* sql */ `
INSERT INTO routing_gateways (name, address, transport) VALUES ($1, $2, $3)
ON CONFLICT (name) DO UPDATE SET address = EXCLUDED.address, transport = EXCLUDED.transport`;

export const DELETE_GATEWAY = /* sql */ `DELETE FROM routing_gateways WHERE name = $1`;

// Loading the view: rules and routes come in their defined order.
export const SELECT_USERS = /* sql */ `
SELECT sip_uri, line_uri, enterprise_voice_enabled, dial_plan, voice_policy, forward_immediate, forward_no_answer_target,
       forward_no_answer_seconds, forward_busy, forward_unreachable, simultaneous_ring, delegates, team_members,
       team_ring_after_seconds
FROM routing_users`;

export const SELECT_DIAL_PLANS = /* sql */ `SELECT name, description FROM routing_dial_plans`;

export const SELECT_DIAL_PLAN_RULES = /* sql */ `
SELECT dial_plan, pattern, translation, description FROM routing_dial_plan_rules ORDER BY dial_plan, ordinal`;

export const SELECT_VOICE_POLICIES = /* sql */ `
SELECT name, description, pstn_usages, forwarding, simultaneous_ring, delegation, team_call, call_park
FROM routing_voice_policies`;

export const SELECT_PSTN_ROUTES = /* sql */ `
SELECT name, description, priority, number_pattern, pstn_usages, gateways FROM routing_pstn_routes ORDER BY priority, name`;

export const SELECT_GATEWAYS = /* sql */ `SELECT name, address, transport FROM routing_gateways`;
