import {
  AnalyticsAnswerSchema,
  AnalyticsQuerySchema,
  analyticsPath,
  type AnalyticsAnswer,
  type AnalyticsQuery,
  type AnalyticsReport,
} from '../api/contract/analytics-contract.ts';
import { z } from 'zod';
import { ApiErrorSchema } from '../api/api-error.ts';
import { HealthSchema, type Health } from '../api/routes/health-routes.ts';
import { AddUserRequestSchema, USERS_PATH, UserCreatedSchema, type AddUserRequest, type UserCreated } from '../api/contract/users-contract.ts';
import { REPLAY_PATH, ReplayQuerySchema, ReplayResultSchema, type ReplayQuery, type ReplayResult } from '../api/contract/replay-contract.ts';
import {
  AtQuerySchema,
  REPLAY_ROUTING_PATH,
  ReplayCallResultSchema,
  ReplayConferenceResultSchema,
  ReplayRoutingResultSchema,
  WHATIF_PATH,
  WhatIfRequestSchema,
  WhatIfResultSchema,
  replayCallPath,
  replayConferencePath,
  type ReplayCallResult,
  type ReplayConferenceResult,
  type ReplayRoutingResult,
  type WhatIfRequest,
  type WhatIfResultBody,
} from '../api/contract/replay-as-of-contract.ts';
import {
  PROJECTIONS_PATH,
  ProjectionNameSchema,
  ProjectionRebuildAcceptedSchema,
  ProjectionsStatusSchema,
  projectionRebuildPath,
  type ProjectionName,
  type ProjectionRebuildAccepted,
  type ProjectionsStatus,
} from '../api/contract/projections-contract.ts';
import { ApiProtocolError, ApiRequestError, ApiUnreachableError } from './api-client-errors.ts';
import type { ChorusBackend } from './chorus-backend.ts';

export interface ApiClientOptions {
  /** e.g. `http://127.0.0.1:8080` */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer`; without it only public routes answer. */
  readonly adminToken?: string;
  /** Per request, default 10 s. */
  readonly timeoutMs?: number;
}

interface RequestSpec<S extends z.ZodType> {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly answer: S;
  /** Used in error messages: "add user sip:alice@example.test". */
  readonly what: string;
}

/**
 * Typed client of the Chorus HTTP API. Requests are validated with the same
 * contract schemas as the routes before anything is sent, and answers are
 * parsed with them, so version skew shows as an ApiProtocolError, not as
 * undefined fields.
 */
export class ChorusApiClient implements ChorusBackend {
  readonly #baseUrl: string;
  readonly #adminToken: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#adminToken = options.adminToken;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  health(): Promise<Health> {
    // 503 still carries a Health body; report it as such rather than as a failure.
    return this.#request({ method: 'GET', path: '/health', answer: HealthSchema, what: 'health' }, [503]);
  }

  addUser(request: AddUserRequest): Promise<UserCreated> {
    const body = AddUserRequestSchema.parse(request);
    return this.#request({ method: 'POST', path: USERS_PATH, body, answer: UserCreatedSchema, what: `add user ${body.sipUri}` });
  }

  replay(query: ReplayQuery): Promise<ReplayResult> {
    const q = ReplayQuerySchema.parse(query);
    return this.#request({ method: 'GET', path: REPLAY_PATH, query: q, answer: ReplayResultSchema, what: `replay ${q.user}` });
  }

  replayConference(conferenceId: string, at: string): Promise<ReplayConferenceResult> {
    const q = AtQuerySchema.parse({ at });
    const path = replayConferencePath(conferenceId);
    return this.#request({ method: 'GET', path, query: q, answer: ReplayConferenceResultSchema, what: `replay conference ${conferenceId}` });
  }

  replayCall(sipCallId: string, at: string): Promise<ReplayCallResult> {
    const q = AtQuerySchema.parse({ at });
    return this.#request({ method: 'GET', path: replayCallPath(sipCallId), query: q, answer: ReplayCallResultSchema, what: `replay call ${sipCallId}` });
  }

  replayRouting(at: string): Promise<ReplayRoutingResult> {
    const q = AtQuerySchema.parse({ at });
    return this.#request({ method: 'GET', path: REPLAY_ROUTING_PATH, query: q, answer: ReplayRoutingResultSchema, what: 'replay routing' });
  }

  whatIf(request: WhatIfRequest): Promise<WhatIfResultBody> {
    const body = WhatIfRequestSchema.parse(request);
    return this.#request({ method: 'POST', path: WHATIF_PATH, body, answer: WhatIfResultSchema, what: `whatif ${body.sipCallId}` });
  }

  projectionsStatus(): Promise<ProjectionsStatus> {
    return this.#request({ method: 'GET', path: PROJECTIONS_PATH, answer: ProjectionsStatusSchema, what: 'projections status' });
  }

  rebuildProjection(name: ProjectionName): Promise<ProjectionRebuildAccepted> {
    const valid = ProjectionNameSchema.parse(name);
    return this.#request({
      method: 'POST',
      path: projectionRebuildPath(valid),
      answer: ProjectionRebuildAcceptedSchema,
      what: `rebuild projection ${valid}`,
    });
  }

  analytics(report: AnalyticsReport, query: AnalyticsQuery): Promise<AnalyticsAnswer> {
    const q = AnalyticsQuerySchema.parse(query);
    const wire = Object.fromEntries(Object.entries(q).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return this.#request({ method: 'GET', path: analyticsPath(report), query: wire, answer: AnalyticsAnswerSchema, what: `analytics ${report}` });
  }

  async #request<S extends z.ZodType>(spec: RequestSpec<S>, alsoAccepted: readonly number[] = []): Promise<z.output<S>> {
    const url = new URL(this.#baseUrl + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#adminToken !== undefined) headers['authorization'] = `Bearer ${this.#adminToken}`;
    if (spec.body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await fetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? null : JSON.stringify(spec.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new ApiUnreachableError(this.#baseUrl, unreachableReason(error));
    }

    const payload = await readJson(response);
    if (!response.ok && !alsoAccepted.includes(response.status)) {
      const body = ApiErrorSchema.safeParse(payload);
      throw new ApiRequestError(response.status, body.success ? body.data : undefined, spec.what);
    }
    const parsed = spec.answer.safeParse(payload);
    if (!parsed.success) throw new ApiProtocolError(spec.what, parsed.error.issues);
    return parsed.data;
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON (a proxy's HTML page): the schema check reports it.
    return text;
  }
}

// fetch reports network failures as TypeError('fetch failed') with the socket error as cause.
const NetworkCauseSchema = z.object({ code: z.string().optional(), message: z.string() });

function unreachableReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = NetworkCauseSchema.safeParse(error instanceof Error ? error.cause : undefined);
  if (cause.success) return cause.data.code ?? cause.data.message;
  return error instanceof Error ? error.message : String(error);
}
