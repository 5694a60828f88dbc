/**
 * SQL of the `directory` projection. HA1 values live in their own table so a
 * query over users (the HTTP API, reports) never selects them by accident.
 */

export const DIRECTORY_TABLES = ['directory_users', 'directory_credentials'] as const;

export const CREATE_DIRECTORY = /* sql */ `
CREATE TABLE directory_users (
  sip_uri                  text        PRIMARY KEY,
  display_name             text        NOT NULL,
  line_uri                 text,
  enterprise_voice_enabled boolean     NOT NULL,
  dial_plan                text,
  voice_policy             text,
  max_endpoints            integer     NOT NULL,
  provisioned_at           timestamptz NOT NULL,
  updated_at               timestamptz NOT NULL
);
CREATE INDEX directory_users_line_uri ON directory_users (line_uri);
CREATE TABLE directory_credentials (
  sip_uri    text        PRIMARY KEY REFERENCES directory_users (sip_uri) ON DELETE CASCADE,
  realm      text        NOT NULL,
  ha1_md5    text        NOT NULL,
  ha1_sha256 text        NOT NULL,
  set_at     timestamptz NOT NULL
);`;

/** Provisioning starts a user afresh: a profile, no credentials yet (see DELETE_CREDENTIALS). */
export const UPSERT_PROVISIONED_USER = /* sql */ `
INSERT INTO directory_users (sip_uri, display_name, line_uri, enterprise_voice_enabled, dial_plan, voice_policy,
                             max_endpoints, provisioned_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
ON CONFLICT (sip_uri) DO UPDATE SET
  display_name = EXCLUDED.display_name, line_uri = EXCLUDED.line_uri,
  enterprise_voice_enabled = EXCLUDED.enterprise_voice_enabled, dial_plan = EXCLUDED.dial_plan,
  voice_policy = EXCLUDED.voice_policy, max_endpoints = EXCLUDED.max_endpoints,
  provisioned_at = EXCLUDED.provisioned_at, updated_at = EXCLUDED.updated_at`;

/** An update carries the whole profile, so it applies even without the provisioning row. */
export const UPSERT_UPDATED_USER = /* sql */ `
INSERT INTO directory_users (sip_uri, display_name, line_uri, enterprise_voice_enabled, dial_plan, voice_policy,
                             max_endpoints, provisioned_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
ON CONFLICT (sip_uri) DO UPDATE SET
  display_name = EXCLUDED.display_name, line_uri = EXCLUDED.line_uri,
  enterprise_voice_enabled = EXCLUDED.enterprise_voice_enabled, dial_plan = EXCLUDED.dial_plan,
  voice_policy = EXCLUDED.voice_policy, max_endpoints = EXCLUDED.max_endpoints,
  updated_at = EXCLUDED.updated_at`;

export const DELETE_USER = /* sql */ `DELETE FROM directory_users WHERE sip_uri = $1`;

export const DELETE_CREDENTIALS = /* sql */ `DELETE FROM directory_credentials WHERE sip_uri = $1`;

export const SELECT_USER_EXISTS = /* sql */ `SELECT 1 AS present FROM directory_users WHERE sip_uri = $1`;

export const UPSERT_CREDENTIALS = /* sql */ `
INSERT INTO directory_credentials (sip_uri, realm, ha1_md5, ha1_sha256, set_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (sip_uri) DO UPDATE SET
  realm = EXCLUDED.realm, ha1_md5 = EXCLUDED.ha1_md5, ha1_sha256 = EXCLUDED.ha1_sha256, set_at = EXCLUDED.set_at`;

/** What the in-memory view holds, for `seedFromSqlProjection`. */
export const SELECT_DIRECTORY_ENTRIES = /* sql */ `
SELECT u.sip_uri, u.display_name, u.line_uri, u.enterprise_voice_enabled, u.dial_plan, u.voice_policy, u.max_endpoints,
       c.realm, c.ha1_md5, c.ha1_sha256
FROM directory_users u LEFT JOIN directory_credentials c ON c.sip_uri = u.sip_uri`;
