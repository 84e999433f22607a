/**
 * Queue attribute validation. Values are kept in their canonical string form so that
 * CreateQueue's idempotency check and GetQueueAttributes compare/return what AWS would.
 */
import { SqsError } from './errors';

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  // The pre-2025 AWS default: code that fits here also fits any real queue.
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

const JSON_ATTRIBUTES = new Set(['Policy', 'RedriveAllowPolicy']);
const FREE_TEXT_ATTRIBUTES = new Set(['KmsMasterKeyId']);
const BOOLEAN_ATTRIBUTES = new Set(['SqsManagedSseEnabled']);

export const COMPUTED_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

const SETTABLE = new Set([
  ...Object.keys(INTEGER_RANGES),
  ...JSON_ATTRIBUTES,
  ...FREE_TEXT_ATTRIBUTES,
  ...BOOLEAN_ATTRIBUTES,
  'RedrivePolicy',
]);

export const isReadableAttribute = (name: string): boolean =>
  name === 'All' || SETTABLE.has(name) || (COMPUTED_ATTRIBUTES as readonly string[]).includes(name);

const invalidAttributeValue = (name: string, reason?: string): SqsError =>
  new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`);

export function parseRedrivePolicy(value: string): RedrivePolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidAttributeValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw invalidAttributeValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  }
  const { deadLetterTargetArn, maxReceiveCount } = parsed as Record<string, unknown>;
  // AWS accepts maxReceiveCount as either a JSON number or a numeric string.
  const count = typeof maxReceiveCount === 'string' && /^\d+$/.test(maxReceiveCount) ? Number(maxReceiveCount) : maxReceiveCount;
  if (typeof deadLetterTargetArn !== 'string' || !deadLetterTargetArn.startsWith('arn:')) {
    throw invalidAttributeValue('RedrivePolicy', 'Invalid value for deadLetterTargetArn.');
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalidAttributeValue('RedrivePolicy', 'Invalid value for maxReceiveCount: must be an integer from 1 to 1000.');
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}

/**
 * Validates one settable attribute and returns its canonical value ('' clears optional
 * ones). `dlqExists` lets RedrivePolicy reject a missing target, as AWS does.
 */
export function normalizeAttribute(name: string, value: unknown, dlqExists: (arn: string) => boolean): string {
  if (name === 'FifoQueue') {
    if (value === 'false') return 'false';
    throw new SqsError('UnsupportedOperation', 'FIFO queues are not supported by the local SQS emulator.');
  }
  if (!SETTABLE.has(name)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  if (typeof value !== 'string') throw invalidAttributeValue(name);
  const range = INTEGER_RANGES[name];
  if (range) {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!(n >= range[0] && n <= range[1])) throw invalidAttributeValue(name, `Must be between ${range[0]} and ${range[1]}.`);
    return String(n);
  }
  if (BOOLEAN_ATTRIBUTES.has(name)) {
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw invalidAttributeValue(name);
    return lower;
  }
  if (name === 'RedrivePolicy') {
    if (value === '') return '';
    const policy = parseRedrivePolicy(value);
    if (!dlqExists(policy.deadLetterTargetArn)) throw invalidAttributeValue(name, 'Dead letter target does not exist.');
    return JSON.stringify(policy);
  }
  if (JSON_ATTRIBUTES.has(name) && value !== '') {
    try {
      JSON.parse(value);
    } catch {
      throw invalidAttributeValue(name, 'Not a valid JSON document.');
    }
  }
  return value;
}
