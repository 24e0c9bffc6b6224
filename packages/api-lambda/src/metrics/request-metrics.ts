import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

import type { Outcome } from '../logging/audit';

/** Metric values of one request. */
export interface RequestMetric {
  /** Route name, such as `encrypt` or `healthz`, or `not_found`. */
  readonly operation: string;
  readonly outcome: Outcome;
  /** Provider name, or `none` for requests that use no provider. */
  readonly provider: string;
  readonly durationMs: number;
}

/** Records per-request metrics. */
export interface MetricsRecorder {
  record(metric: RequestMetric): void;
}

/** Drops every metric. The local server uses it, so the console shows no EMF lines. */
export const DISABLED_METRICS: MetricsRecorder = Object.freeze({ record: () => undefined });

/**
 * Publishes a `Requests` count and a `Latency` metric (milliseconds) per
 * request, with the dimensions `operation`, `outcome` and `provider`, as one
 * CloudWatch embedded-metric-format line written when the request ends. In
 * Lambda one invocation is one request, so that is one flush per invocation.
 * Powertools honours `POWERTOOLS_METRICS_DISABLED`.
 */
export class PowertoolsMetricsRecorder implements MetricsRecorder {
  readonly #namespace: string;
  readonly #serviceName: string;

  constructor(namespace: string, serviceName: string) {
    this.#namespace = namespace;
    this.#serviceName = serviceName;
  }

  record(metric: RequestMetric): void {
    // A fresh instance per request, because each request has its own dimension values.
    const metrics = new Metrics({ namespace: this.#namespace, serviceName: this.#serviceName });
    metrics.addDimensions({
      operation: metric.operation,
      outcome: metric.outcome,
      provider: metric.provider,
    });
    metrics.addMetric('Requests', MetricUnit.Count, 1);
    metrics.addMetric('Latency', MetricUnit.Milliseconds, metric.durationMs);
    metrics.publishStoredMetrics();
  }
}
