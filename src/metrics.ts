import client from 'prom-client';

/**
 * Prometheus metrics of this process, served at /metrics. Each process keeps its own; Prometheus
 * scrapes every process and sums.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'paperboy_' });

export const httpRequests = new client.Counter({
  name: 'paperboy_http_requests_total',
  help: 'HTTP requests by route pattern, method and status',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new client.Histogram({
  name: 'paperboy_http_request_duration_seconds',
  help: 'HTTP request latency by route pattern and method',
  labelNames: ['route', 'method'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const jobRuns = new client.Counter({
  name: 'paperboy_job_runs_total',
  help: 'Scheduled job runs by job and outcome (succeeded, failed, interrupted: stopped by a shutdown, skipped: another process held the lease)',
  labelNames: ['job', 'outcome'] as const,
  registers: [registry],
});

export const mailSends = new client.Counter({
  name: 'paperboy_mail_sends_total',
  help: 'Mails handed to the transport, by kind (digest, confirm, ...) and outcome',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});

/** Store connection pool (PostgreSQL); set by whoever owns the pool. */
export const storePool = new client.Gauge({
  name: 'paperboy_store_pool_connections',
  help: 'Store pool connections by state (total, idle, waiting)',
  labelNames: ['state'] as const,
  registers: [registry],
});

export const pageCacheRequests = new client.Counter({
  name: 'paperboy_page_cache_requests_total',
  help: 'Page reads by their use of the anonymous page cache: hit, miss (rendered and kept), bypass (a reader with cookies, or a page never cached).',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const pageCacheCompressions = new client.Counter({
  name: 'paperboy_page_cache_compressions_total',
  help: "Bodies the anonymous page cache compressed, by encoding: once per cached page and encoding (a hit sends the copy made then).",
  labelNames: ['encoding'] as const,
  registers: [registry],
});

export const storeErrors = new client.Counter({
  name: 'paperboy_store_errors_total',
  help: 'Requests answered 503 because the store was unreachable (store_unavailable) or full (store_full)',
  labelNames: ['kind'] as const,
  registers: [registry],
});
