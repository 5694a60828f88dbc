import { Registry, collectDefaultMetrics } from 'prom-client';

export type { Registry } from 'prom-client';

export interface MetricsRegistryOptions {
  /**
   * Process metrics (CPU, memory, event-loop lag, GC). On by default; tests that
   * build many servers in one process may turn them off because they only
   * describe the process, not the server under test.
   */
  readonly defaultMetrics?: boolean;
}

/**
 * One registry per running edition instead of prom-client's global one, so two
 * servers in one process (tests, the CLI) never clash on metric names and each
 * `/metrics` shows only its own counters.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
