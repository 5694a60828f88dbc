import type { CallEndCause } from '../../events/domain/call-events.ts';

/** Why an unanswered call ended, from the final status that went upstream. */
export function endCauseOf(status: number): CallEndCause {
  switch (status) {
    case 486:
    case 600:
      return 'busy';
    case 408:
      return 'no_answer';
    case 480:
      return 'unreachable';
    case 487:
      return 'cancelled';
    case 401:
    case 403:
    case 407:
    case 603:
      return 'rejected';
    case 404:
    case 484:
    case 485:
    case 604:
      return 'no_route';
    default:
      return 'failed';
  }
}
