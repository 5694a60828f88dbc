/**
 * Every way a command can be refused by a domain rule. The API and the SIP
 * layer map codes to responses (e.g. `endpoint_limit` → 403, `etag_mismatch`
 * → 412), so a code, once published, keeps its meaning.
 */
export const DOMAIN_ERROR_CODES = [
  // directory
  'not_provisioned',
  'already_provisioned',
  'deprovisioned',
  'line_uri_required',
  'voice_not_enabled',
  'invalid_target',
  // endpoints and presence
  'endpoint_limit',
  'endpoint_not_registered',
  'etag_mismatch',
  'invalid_publication',
  'invalid_until',
  'watcher_blocked',
  // IM
  'session_exists',
  'session_not_found',
  'session_ended',
  'not_a_participant',
  'not_a_recipient',
  'unknown_message',
  // conferencing
  'conference_exists',
  'conference_not_found',
  'conference_ended',
  'conference_locked',
  'invalid_schedule',
  'invalid_pin',
  'not_a_presenter',
  'not_in_lobby',
  // calls
  'call_exists',
  'call_not_found',
  'call_ended',
  'invalid_call_state',
  'forward_loop',
  // voice configuration
  'invalid_regex',
  'already_defined',
  'not_defined',
  'wrong_stream',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/**
 * A command broke a domain rule; nothing was written. The message starts with
 * the code (`endpoint_limit: …`) so logs and test matchers see both.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'DomainError';
  }
}
