import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiErrorBody } from './api-error.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Serve this route without the admin token. Only for what a load balancer
     * or a scraper must reach (health, metrics, the OpenAPI document); every
     * other route, reads included, needs the token because presence and
     * registrations are personal data.
     */
    publicAccess?: boolean;
  }
}

/** Name of the OpenAPI security scheme the document declares for the admin token. */
export const ADMIN_SECURITY_SCHEME = 'adminToken';

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

// Hashing both sides first gives equal-length buffers, so timingSafeEqual
// neither throws nor lets response time reveal the token's length.
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export type BearerVerdict = 'missing' | 'invalid' | 'valid';

/** Checks an Authorization header against the admin token in constant time. */
export function verifyBearer(authorization: string | undefined, adminToken: string): BearerVerdict {
  if (authorization === undefined || authorization === '') return 'missing';
  const presented = BEARER.exec(authorization)?.[1];
  if (presented === undefined) return 'invalid';
  return timingSafeEqual(digest(presented), digest(adminToken)) ? 'valid' : 'invalid';
}

/**
 * onRequest hook: everything not marked `publicAccess` needs the admin token.
 * Unknown URLs are refused too (401 before 404), so the route map is not
 * revealed to callers without the token.
 */
export function adminAuthHook(adminToken: string) {
  const expected = adminToken;
  // Fastify's rule for async hooks: after reply.send(), return the reply so the lifecycle stops here.
  return async function requireAdminToken(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (request.routeOptions.config.publicAccess === true) return undefined;
    const verdict = verifyBearer(request.headers.authorization, expected);
    switch (verdict) {
      case 'valid':
        return undefined;
      case 'missing':
      case 'invalid': {
        // RFC 6750 §3: say which scheme is expected; flag a wrong token as invalid_token.
        const challenge = verdict === 'missing' ? 'Bearer realm="chorus"' : 'Bearer realm="chorus", error="invalid_token"';
        const body: ApiErrorBody = {
          error: 'unauthorized',
          message: verdict === 'missing' ? 'this endpoint needs Authorization: Bearer <admin token>' : 'the bearer token is not valid',
        };
        return reply.code(401).header('www-authenticate', challenge).send(body);
      }
      default: {
        const unhandled: never = verdict;
        throw new Error(`unhandled verdict ${String(unhandled)}`);
      }
    }
  };
}
