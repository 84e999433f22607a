/**
 * CloudWatch embedded metric format (SPEC §8): one JSON line per flush, which Lambda's
 * log pipeline turns into metrics. Written directly (no SDK, no extra dependency).
 */
export type MetricName =
  | 'EventsIngested'
  | 'EventsMatched'
  | 'EventsDuplicate'
  | 'EventsRejected'
  | 'SourceItemsIgnored'
  | 'DeliveriesDelivered'
  | 'DeliveriesRetried'
  | 'DeliveriesFailed'
  | 'DeliveriesDead'
  | 'DigestsSent'
  | 'ThrottlePauses'
  | 'RulesSuspended'
  | 'RulesRecovered'
  | 'AlertsFailed';

export const METRICS_NAMESPACE = 'RegistryEventNotifications';

export function emfLine(values: Partial<Record<MetricName, number>>, now = Date.now()): string | undefined {
  const entries = Object.entries(values).filter(([, v]) => typeof v === 'number' && v > 0) as [MetricName, number][];
  if (entries.length === 0) return undefined;
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['service']], Metrics: entries.map(([name]) => ({ Name: name, Unit: 'Count' })) }],
    },
    service: 'registry-events',
    ...Object.fromEntries(entries),
  });
}

export type MetricsSink = (values: Partial<Record<MetricName, number>>) => void;

export const stdoutMetrics: MetricsSink = (values) => {
  const line = emfLine(values);
  if (line) process.stdout.write(`${line}\n`);
};
