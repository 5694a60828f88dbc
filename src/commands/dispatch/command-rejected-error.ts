import type { ZodError } from 'zod';
import type { DomainError } from '../domain-error.ts';
import { DOMAIN_ERROR_STATUS } from './domain-error-status.ts';

/**
 * A command the dispatcher refused; nothing was written. It follows the API's
 * declared-error convention (snake_case `code`, 4xx `httpStatus`, `details`
 * merged into the body), so src/api/error-mapping.ts answers it without the
 * dispatcher importing the API.
 */
export class CommandRejectedError extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CommandRejectedError';
  }

  /** A decider's refusal, with the status its code is published with. */
  static fromDomainError(error: DomainError): CommandRejectedError {
    return new CommandRejectedError(error.code, DOMAIN_ERROR_STATUS[error.code], error.message, undefined, { cause: error });
  }

  /** A command that does not match its schema: 400 with one issue per problem, dotted paths as everywhere in the API. */
  static invalidCommand(commandType: string, error: ZodError): CommandRejectedError {
    return new CommandRejectedError(
      'invalid_command',
      400,
      `${commandType}: invalid command`,
      { issues: error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })) },
      { cause: error },
    );
  }
}
