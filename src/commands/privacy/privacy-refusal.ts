/** Why a privacy command was refused; nothing was written. */
export type PrivacyRefusalCode = 'legal_hold' | 'not_on_hold';

const STATUS: Readonly<Record<PrivacyRefusalCode, number>> = {
  // Both contradict the user's current state.
  legal_hold: 409,
  not_on_hold: 409,
};

/**
 * A refusal of the privacy decider. It follows the API's declared-error
 * convention (snake_case `code`, 4xx `httpStatus`), so src/api/error-mapping.ts
 * answers it without the decider importing the API.
 */
export class PrivacyRefusal extends Error {
  readonly httpStatus: number;

  constructor(
    readonly code: PrivacyRefusalCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'PrivacyRefusal';
    this.httpStatus = STATUS[code];
  }
}
