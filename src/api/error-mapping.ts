import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import {
  ConcurrencyError,
  DuplicateEventIdError,
  InvalidArgumentError,
  InvalidEventError,
  InvalidStreamNameError,
  UnknownEventTypeError,
} from '../events/errors.ts';
import { issuePath, type ApiIssue, type MappedApiError } from './api-error.ts';

/**
 * Turns an error thrown by a route into a response, or returns undefined to
 * let the next mapper try. Domain areas pass their own mappers to
 * createHttpServer when the `httpStatus` convention below does not fit.
 */
export type ErrorMapper = (error: unknown) => MappedApiError | undefined;

type EventStoreInputError =
  | ConcurrencyError
  | DuplicateEventIdError
  | InvalidStreamNameError
  | UnknownEventTypeError
  | InvalidEventError
  | InvalidArgumentError;

function isEventStoreInputError(error: unknown): error is EventStoreInputError {
  return (
    error instanceof ConcurrencyError ||
    error instanceof DuplicateEventIdError ||
    error instanceof InvalidStreamNameError ||
    error instanceof UnknownEventTypeError ||
    error instanceof InvalidEventError ||
    error instanceof InvalidArgumentError
  );
}

function badRequest(code: string, message: string, issues: readonly ApiIssue[]): MappedApiError {
  return { status: 400, body: { error: code, message, issues: [...issues] } };
}

/** Errors of the event log that describe the caller's request, not a server fault. */
export const mapEventStoreError: ErrorMapper = (error) => {
  if (!isEventStoreInputError(error)) return undefined;
  switch (error.code) {
    case 'concurrency_conflict':
      return {
        status: 409,
        body: { error: error.code, message: error.message, expected: error.expected, actual: error.actual },
      };
    case 'duplicate_event_id':
      return { status: 409, body: { error: error.code, message: error.message, eventId: error.eventId } };
    case 'invalid_stream_name':
      return badRequest(error.code, error.message, [{ path: 'streamId', message: error.message }]);
    case 'unknown_event_type':
      return badRequest(error.code, error.message, [{ path: 'type', message: error.message }]);
    case 'invalid_event':
      return badRequest(
        error.code,
        error.message,
        error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message })),
      );
    case 'invalid_argument':
      return badRequest(error.code, error.message, []);
    default: {
      const unhandled: never = error;
      return unhandled;
    }
  }
};

/**
 * The convention for domain errors, so deciders need not import the API: an
 * Error with a snake_case `code` and a 4xx `httpStatus` (and optionally
 * `details`, merged into the body) is answered as such.
 */
const DeclaredHttpErrorSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]*$/),
  httpStatus: z.number().int().min(400).max(499),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const mapDeclaredHttpError: ErrorMapper = (error) => {
  if (!(error instanceof Error)) return undefined;
  const declared = DeclaredHttpErrorSchema.safeParse({
    code: Reflect.get(error, 'code'),
    httpStatus: Reflect.get(error, 'httpStatus'),
    message: error.message,
    details: Reflect.get(error, 'details'),
  });
  if (!declared.success) return undefined;
  const { code, httpStatus, message, details } = declared.data;
  return { status: httpStatus, body: { ...details, error: code, message } };
};

/** Request validation failures (zod via fastify-type-provider-zod, or any Fastify schema). */
const ValidationFailureSchema = z.object({
  validation: z.array(z.object({ instancePath: z.string(), message: z.string().optional() })).min(1),
  validationContext: z.string().optional(),
});

export const mapValidationError: ErrorMapper = (error) => {
  const failure = ValidationFailureSchema.safeParse(error);
  if (!failure.success) return undefined;
  const where = failure.data.validationContext ?? 'request';
  return badRequest(
    'bad_request',
    `invalid ${where}`,
    failure.data.validation.map((v) => ({
      // '/line/uri' → 'line.uri', the same dotted form as every other issue path
      path: v.instancePath.split('/').filter((s) => s !== '').join('.'),
      message: v.message ?? 'is invalid',
    })),
  );
};

/**
 * Fastify's own 4xx errors (malformed JSON, unsupported media type, body too
 * large): their messages describe the request and are safe to return.
 */
const ClientStatusSchema = z.object({ statusCode: z.number().int().min(400).max(499) });

export const mapFrameworkClientError: ErrorMapper = (error) => {
  if (!(error instanceof Error)) return undefined;
  const client = ClientStatusSchema.safeParse({ statusCode: Reflect.get(error, 'statusCode') });
  if (!client.success) return undefined;
  const status = client.data.statusCode;
  const code = (STATUS_CODES[status] ?? 'client error').toLowerCase().replace(/[^a-z0-9]+/g, '_');
  return { status, body: { error: code, message: error.message } };
};

/** Mappers tried after the caller's own, most specific first. */
export const BUILT_IN_ERROR_MAPPERS: readonly ErrorMapper[] = [
  mapValidationError,
  mapEventStoreError,
  mapDeclaredHttpError,
  mapFrameworkClientError,
];

/** The first mapper's answer, or undefined for a server fault (answered 500 without detail). */
export function mapError(error: unknown, mappers: readonly ErrorMapper[]): MappedApiError | undefined {
  for (const mapper of mappers) {
    const mapped = mapper(error);
    if (mapped) return mapped;
  }
  return undefined;
}
