import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';

/** GET /metrics: Prometheus text exposition of the edition's registry; public for scrapers. */
export function metricsRoutes(registry: Registry): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/metrics',
      {
        config: { publicAccess: true },
        schema: {
          summary: 'Prometheus metrics',
          tags: ['system'],
        },
      },
      async (_request, reply) => {
        const text = await registry.metrics();
        return reply.type(registry.contentType).send(text);
      },
    );
  };
}
