import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** GET /openapi.json: the OpenAPI document @fastify/swagger builds from the route schemas. */
export const openApiRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/openapi.json',
    { config: { publicAccess: true }, schema: { hide: true } },
    async (_request, reply) => reply.type('application/json').send(app.swagger()),
  );
};
