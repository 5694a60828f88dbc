import { performance } from 'node:perf_hooks';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type FastifyPluginAsyncZod,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { SwaggerTransform } from '@fastify/swagger';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.ts';
import { logger as moduleLogger, type Logger } from '../logging/logger.ts';
import { createMetricsRegistry } from '../metrics/metrics-registry.ts';
import { httpRequestDurationHistogram } from '../metrics/http-metrics.ts';
import { ADMIN_SECURITY_SCHEME, adminAuthHook } from './admin-auth.ts';
import { ApiLogController } from './api-log-controller.ts';
import type { ApiErrorBody } from './api-error.ts';
import { BUILT_IN_ERROR_MAPPERS, mapError, type ErrorMapper } from './error-mapping.ts';
import { healthRoutes, type HealthCheck } from './routes/health-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { openApiRoutes } from './routes/openapi-routes.ts';

/** The Fastify instance every route plugin receives: zod schemas type requests and replies. */
export type ApiServer = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/**
 * A resource area's routes (`users-routes.ts` exports `usersRoutes(deps)`
 * returning one). Registered in its own encapsulated context after the
 * built-in routes; it inherits auth, error mapping and metrics.
 */
export type ApiRoutePlugin = FastifyPluginAsyncZod;

/** The part of the configuration the HTTP layer reads; the admin token is resolved by then. */
export interface HttpServerConfig {
  readonly adminToken: string;
  readonly store: Config['store'];
}

export interface HttpServerOptions {
  readonly config: HttpServerConfig;
  /** Shown by GET /health and in the OpenAPI document. */
  readonly version: string;
  /** Default: `logger('api')`. */
  readonly logger?: Logger;
  /** Default: a new registry with process metrics. */
  readonly metrics?: Registry;
  /** `performance.now()` at edition start, for uptime. Default: now. */
  readonly startedAt?: number;
  /** Readiness probes reported by GET /health (projection lag, store reachability...). */
  readonly healthChecks?: readonly HealthCheck[];
  /** Resource-area route plugins, registered in order after the built-in routes. */
  readonly routes?: readonly ApiRoutePlugin[];
  /** Tried before the built-in mappers (validation, event-log errors, `httpStatus` convention). */
  readonly errorMappers?: readonly ErrorMapper[];
}

const INTERNAL_ERROR: ApiErrorBody = { error: 'internal_error', message: 'internal server error' };

/** Marks routes with `config.publicAccess` as needing no security in the OpenAPI document. */
const transformRouteSchema: SwaggerTransform = (document) => {
  const transformed = jsonSchemaTransform(document);
  if (document.route.config?.publicAccess !== true) return transformed;
  return { url: transformed.url, schema: { ...transformed.schema, security: [] } };
};

/**
 * Builds the HTTP API, not listening: tests call `inject()`, the edition calls
 * `listen()`. Every route needs the admin token unless it declares
 * `config: { publicAccess: true }`.
 */
export function createHttpServer(options: HttpServerOptions): ApiServer {
  const log = options.logger ?? moduleLogger('api');
  const registry = options.metrics ?? createMetricsRegistry();
  const requestDuration = httpRequestDurationHistogram(registry);
  const mappers = [...(options.errorMappers ?? []), ...BUILT_IN_ERROR_MAPPERS];

  // Widened so the instance type is the ApiServer every route plugin is written against.
  const fastifyLogger: FastifyBaseLogger = log;
  const app = Fastify({
    loggerInstance: fastifyLogger,
    logController: new ApiLogController(),
    // Request ids must not come from clients: they end up in logs as trusted values.
    requestIdHeader: false,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Hooks and handlers go on the root before any plugin so every context inherits them.
  app.addHook('onRequest', adminAuthHook(options.config.adminToken));
  app.addHook('onResponse', async (request, reply) => {
    requestDuration.observe(
      {
        method: request.method,
        // The route pattern, never the raw URL: unmatched URLs share one label value.
        route: request.routeOptions.url ?? '(unmatched)',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler(async (error, request, reply) => {
    const mapped = mapError(error, mappers);
    if (mapped) {
      request.log.debug({ err: error, status: mapped.status }, 'request refused');
      return reply.code(mapped.status).send(mapped.body);
    }
    // Server fault: full detail to the log, none to the client but the request id to quote.
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ ...INTERNAL_ERROR, requestId: request.id });
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    const body: ApiErrorBody = { error: 'not_found', message: `no route for ${request.method} ${path}` };
    return reply.code(404).send(body);
  });

  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Chorus API',
        description: 'Administration API of a Chorus unified-communications pool',
        version: options.version,
      },
      components: {
        securitySchemes: {
          [ADMIN_SECURITY_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description: 'CHORUS_ADMIN_TOKEN; needed by every operation unless it says otherwise',
          },
        },
      },
      security: [{ [ADMIN_SECURITY_SCHEME]: [] }],
    },
    transform: transformRouteSchema,
    transformObject: jsonSchemaTransformObject,
  });

  void app.register(openApiRoutes);
  void app.register(
    healthRoutes({
      store: options.config.store,
      version: options.version,
      startedAt: options.startedAt ?? performance.now(),
      checks: options.healthChecks ?? [],
      log,
    }),
  );
  void app.register(metricsRoutes(registry));
  for (const routes of options.routes ?? []) void app.register(routes);

  return app;
}
