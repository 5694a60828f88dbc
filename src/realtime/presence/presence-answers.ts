import type { DomainError } from '../../commands/domain-error.ts';
import type { AuthOutcome } from '../auth/digest-authenticator.ts';
import { quote } from '../sip/grammar.ts';
import type { HeaderInit } from '../sip/message.ts';
import { PRESENCE_EVENT } from './presence-sip.ts';

/** A final answer to a PUBLISH or SUBSCRIBE. */
export type Answer = { readonly status: number; readonly reason?: string; readonly headers?: readonly HeaderInit[]; readonly body?: string };

export const BAD_EVENT: Answer = { status: 489, reason: 'Bad Event', headers: [['Allow-Events', PRESENCE_EVENT]] };

/** The answer for anything but `authorized`, which is undefined: go on. */
export function authRefusal(auth: AuthOutcome): Answer | undefined {
  switch (auth.kind) {
    case 'authorized':
      return undefined;
    case 'challenge':
      return { status: auth.status, headers: auth.headers };
    case 'forbidden':
      return { status: 403, reason: 'Forbidden' };
    case 'malformed':
      return { status: 400, reason: auth.reason };
    default: {
      const never: never = auth;
      return never;
    }
  }
}

/** A decider refusal as SIP (the codes' meaning is fixed in src/commands/domain-error.ts). */
export function domainRefusal(error: DomainError): Answer {
  const warning: HeaderInit = ['Warning', `399 chorus ${quote(error.detail.slice(0, 200))}`];
  switch (error.code) {
    case 'etag_mismatch':
      return { status: 412, reason: 'Conditional Request Failed' };
    case 'endpoint_not_registered':
      return { status: 403, reason: 'Endpoint Not Registered', headers: [warning] };
    case 'invalid_publication':
      return { status: 400, reason: 'Bad Request', headers: [warning] };
    case 'watcher_blocked':
      // The watcher learns nothing beyond the refusal (RFC 3856 §6.6).
      return { status: 403, reason: 'Forbidden' };
    case 'not_provisioned':
    case 'deprovisioned':
      // A retired address is as unknown to watchers and publishers as one never provisioned.
      return { status: 404, reason: 'Not Found' };
    default:
      return { status: 500, reason: 'Server Internal Error' };
  }
}
