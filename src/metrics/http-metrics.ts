import { Histogram, type Registry } from 'prom-client';

export const HTTP_REQUEST_DURATION_METRIC = 'chorus_http_request_duration_seconds';

type HttpLabel = 'method' | 'route' | 'status_code';

/**
 * Duration of HTTP API requests by method, route pattern and status. The route
 * is the pattern (`/users/:uri`), never the raw URL, so cardinality stays bounded.
 * Re-uses the histogram when the registry already has it (two servers sharing a registry).
 */
export function httpRequestDurationHistogram(registry: Registry): Histogram<HttpLabel> {
  const existing = registry.getSingleMetric(HTTP_REQUEST_DURATION_METRIC);
  if (existing instanceof Histogram) return existing as Histogram<HttpLabel>;
  return new Histogram<HttpLabel>({
    name: HTTP_REQUEST_DURATION_METRIC,
    help: 'Duration of HTTP API requests in seconds, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    // API calls are control-plane operations: sub-millisecond reads up to multi-second rebuild triggers.
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}
