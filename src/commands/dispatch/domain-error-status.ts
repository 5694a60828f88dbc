import type { DomainErrorCode } from '../domain-error.ts';

/**
 * The HTTP status each domain refusal is answered with. A Record over the code
 * union, so a new code does not compile until it has a status here.
 *
 * - 404: the thing the request names does not exist (an unknown user is `not_provisioned`).
 * - 409: the request contradicts the current state (exists already, ended, wrong lifecycle step).
 * - 410: the address or item is retired for good.
 * - 403: a rule about who may do what (limits, presenters, PINs, locks).
 * - 412: a precondition the caller stated (an etag) no longer holds.
 * - 422: well-formed input the domain cannot accept (a regex that does not compile, a schedule in the past).
 */
export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorCode, number>> = {
  // directory
  not_provisioned: 404,
  already_provisioned: 409,
  deprovisioned: 410,
  line_uri_required: 422,
  voice_not_enabled: 409,
  invalid_target: 422,
  // endpoints and presence
  endpoint_limit: 403,
  endpoint_not_registered: 404,
  etag_mismatch: 412,
  invalid_publication: 422,
  invalid_until: 422,
  watcher_blocked: 403,
  // IM
  session_exists: 409,
  session_not_found: 404,
  session_ended: 409,
  not_a_participant: 422,
  not_a_recipient: 422,
  unknown_message: 404,
  // conferencing
  conference_exists: 409,
  conference_not_found: 404,
  conference_ended: 409,
  conference_locked: 403,
  invalid_schedule: 422,
  invalid_pin: 403,
  not_a_presenter: 403,
  not_in_lobby: 409,
  // calls
  call_exists: 409,
  call_not_found: 404,
  call_ended: 409,
  invalid_call_state: 409,
  forward_loop: 422,
  // voice configuration
  invalid_regex: 422,
  already_defined: 409,
  not_defined: 404,
  wrong_stream: 409,
};
