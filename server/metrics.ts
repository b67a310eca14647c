// Prometheus metrics (prom-client), one registry per server so that several servers can share a process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(options: { defaults?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'parley_requests_total',
      help: 'Requests by route or socket event and outcome',
      labelNames: ['route', 'outcome'] as const,
      registers,
    }),
    latency: new Histogram({
      name: 'parley_request_duration_seconds',
      help: 'Time from admission request to reply',
      labelNames: ['route'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'parley_queue_depth',
      help: 'Requests waiting for admission, per model',
      labelNames: ['model'] as const,
      registers,
    }),
    active: new Gauge({
      name: 'parley_active_requests',
      help: 'Requests decoding, per model',
      labelNames: ['model'] as const,
      registers,
    }),
    batchSize: new Histogram({
      name: 'parley_batch_size',
      help: 'Rows per decoder step of the batching scheduler',
      labelNames: ['model'] as const,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    tokens: new Counter({
      name: 'parley_generated_tokens_total',
      help: 'Generated target tokens, per model (rate() gives tokens/s)',
      labelNames: ['model'] as const,
      registers,
    }),
    tokensPerSecond: new Histogram({
      name: 'parley_decode_tokens_per_second',
      help: 'Tokens per second of each decode',
      labelNames: ['model'] as const,
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
