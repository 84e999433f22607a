/**
 * The environment, parsed and validated once, typed. Every SPEC §3 setting lives here;
 * nothing else in the code reads process.env. A bad value throws ConfigError naming the
 * variable and the rule it broke (never echoing secret values).
 */
import * as z from 'zod';

export type StackMode = 'local' | 'aws';

export const DEFAULT_UNSUPPORTED_REGIONS =
  'cn-shanghai-finance-1,cn-shenzhen-finance-1,cn-hangzhou-finance,cn-north-2-gov-1,eu-west-1';
export const LOCAL_DEV_ADMIN_KEY = 'local-dev-admin-key';

const SECRET_VARIABLES = new Set(['ADMIN_API_KEY', 'SECRETS_KEY']);

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'expected an http(s) URL');

const optionalUrl = z.string().trim().pipe(z.union([z.literal(''), httpUrl]));

const envSchema = z.object({
  STACK_MODE: z.enum(['local', 'aws']),
  SERVICE_VERSION: z.string().trim().min(1),
  PORT: int(1, 65535),
  TABLE_NAME: z.string().trim().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name'),
  QUEUE_URL: z.string().trim(),
  DEAD_LETTER_QUEUE_URL: z.string().trim(),
  DYNAMODB_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
  AWS_REGION: z.string().trim().min(1),
  ADMIN_API_KEY: z.string(),
  ADMIN_API_KEY_PARAMETER: z.string().trim(),
  SECRETS_KEY: z
    .string()
    .trim()
    .refine((v) => v === '' || Buffer.from(v, 'base64').length === 32, 'expected base64 of 32 bytes'),
  SECRETS_KMS_KEY_ID: z.string().trim(),
  EVENT_RETENTION_SECONDS: int(1, 31_536_000),
  MAX_RULES_PER_REGION: int(1, 100_000),
  UNSUPPORTED_REGIONS: z.string(),
  DINGTALK_WEBHOOK_PREFIX: httpUrl,
  DINGTALK_RATE_LIMIT: int(1, 10_000),
  DINGTALK_RATE_WINDOW_SECONDS: int(1, 86_400),
  DINGTALK_THROTTLE_SECONDS: int(1, 86_400),
  DELIVERY_TIMEOUT_MS: int(100, 120_000),
  RETRY_BASE_SECONDS: int(1, 86_400),
  RETRY_MAX_DELAY_SECONDS: int(1, 604_800),
  RETRY_MAX_ATTEMPTS: int(1, 10_000),
  ALLOW_PRIVATE_TARGETS: bool,
  RECONCILE_AFTER_SECONDS: int(1, 86_400),
  INGEST_RATE_PER_SECOND: int(1, 1_000_000),
  INGEST_BURST: int(100, 10_000_000),
  LOG_LEVEL: z
    .string()
    .trim()
    .toUpperCase()
    .pipe(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL', 'TRACE'])),
});

export interface Config {
  mode: StackMode;
  version: string;
  port: number;
  tableName: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  dynamodbEndpoint: string | undefined;
  sqsEndpoint: string | undefined;
  awsRegion: string;
  /** Empty when the key is to be read from SSM (`adminApiKeyParameter`). */
  adminApiKey: string;
  adminApiKeyParameter: string;
  adminKeyIsDefault: boolean;
  /** Master key (32 bytes) for sealing rule secrets locally; deployed stages use KMS instead. */
  secretsKey: Buffer | undefined;
  secretsKmsKeyId: string;
  eventRetentionSeconds: number;
  maxRulesPerRegion: number;
  unsupportedRegions: ReadonlySet<string>;
  dingtalkWebhookPrefix: string;
  dingtalkRateLimit: number;
  dingtalkRateWindowSeconds: number;
  dingtalkThrottleSeconds: number;
  deliveryTimeoutMs: number;
  retryBaseSeconds: number;
  retryMaxDelaySeconds: number;
  retryMaxAttempts: number;
  allowPrivateTargets: boolean;
  /** How long a delivery may stay `pending` before the reconciler re-queues it. */
  reconcileAfterSeconds: number;
  /** Events per second per API key, per function instance (burst ≥ one full batch). */
  ingestRatePerSecond: number;
  ingestBurst: number;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function defaultsFor(mode: StackMode): Record<string, string> {
  return {
    SERVICE_VERSION: '0.0.0',
    PORT: '3000',
    TABLE_NAME: 'registry-events-local',
    QUEUE_URL: '',
    DEAD_LETTER_QUEUE_URL: '',
    DYNAMODB_ENDPOINT: '',
    SQS_ENDPOINT: '',
    AWS_REGION: 'us-east-1',
    ADMIN_API_KEY: mode === 'local' ? LOCAL_DEV_ADMIN_KEY : '',
    ADMIN_API_KEY_PARAMETER: '',
    SECRETS_KEY: '',
    SECRETS_KMS_KEY_ID: '',
    EVENT_RETENTION_SECONDS: '259200',
    MAX_RULES_PER_REGION: '10',
    UNSUPPORTED_REGIONS: DEFAULT_UNSUPPORTED_REGIONS,
    DINGTALK_WEBHOOK_PREFIX: 'https://oapi.dingtalk.com/robot/send',
    DINGTALK_RATE_LIMIT: '20',
    DINGTALK_RATE_WINDOW_SECONDS: '60',
    DINGTALK_THROTTLE_SECONDS: '600',
    DELIVERY_TIMEOUT_MS: '5000',
    RETRY_BASE_SECONDS: '5',
    RETRY_MAX_DELAY_SECONDS: '900',
    RETRY_MAX_ATTEMPTS: '100',
    ALLOW_PRIVATE_TARGETS: mode === 'local' ? 'true' : 'false',
    RECONCILE_AFTER_SECONDS: '120',
    INGEST_RATE_PER_SECOND: '100',
    INGEST_BURST: '200',
    LOG_LEVEL: 'INFO',
  };
}

/** Parses the environment. Empty strings count as unset, so `${env:X, ''}` falls back to defaults. */
export function loadConfig(env: Env = process.env): Config {
  const modeRaw = (env.STACK_MODE ?? '').trim() || 'aws';
  if (modeRaw !== 'local' && modeRaw !== 'aws') {
    throw new ConfigError([`STACK_MODE: expected "local" or "aws"`]);
  }
  const mode: StackMode = modeRaw;
  const merged: Record<string, string> = { ...defaultsFor(mode), STACK_MODE: mode };
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') merged[key] = value;
  }
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '?');
        const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(merged[name] ?? '')})`;
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.RETRY_MAX_DELAY_SECONDS < e.RETRY_BASE_SECONDS) {
    problems.push('RETRY_MAX_DELAY_SECONDS: must be at least RETRY_BASE_SECONDS');
  }
  if (e.ADMIN_API_KEY !== '' && e.ADMIN_API_KEY.length < 16) {
    problems.push('ADMIN_API_KEY: must be at least 16 characters');
  }
  if (mode === 'aws' && e.ADMIN_API_KEY === '' && e.ADMIN_API_KEY_PARAMETER === '') {
    problems.push('ADMIN_API_KEY: required (or ADMIN_API_KEY_PARAMETER naming an SSM SecureString)');
  }
  if (e.SECRETS_KEY === '' && e.SECRETS_KMS_KEY_ID === '') {
    problems.push('SECRETS_KEY: required (base64 of 32 bytes), or SECRETS_KMS_KEY_ID naming a KMS key');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    mode,
    version: e.SERVICE_VERSION,
    port: e.PORT,
    tableName: e.TABLE_NAME,
    queueUrl: e.QUEUE_URL,
    deadLetterQueueUrl: e.DEAD_LETTER_QUEUE_URL,
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT || undefined,
    sqsEndpoint: e.SQS_ENDPOINT || undefined,
    awsRegion: e.AWS_REGION,
    adminApiKey: e.ADMIN_API_KEY,
    adminApiKeyParameter: e.ADMIN_API_KEY_PARAMETER,
    adminKeyIsDefault: e.ADMIN_API_KEY === LOCAL_DEV_ADMIN_KEY,
    secretsKey: e.SECRETS_KEY === '' ? undefined : Buffer.from(e.SECRETS_KEY, 'base64'),
    secretsKmsKeyId: e.SECRETS_KMS_KEY_ID,
    eventRetentionSeconds: e.EVENT_RETENTION_SECONDS,
    maxRulesPerRegion: e.MAX_RULES_PER_REGION,
    unsupportedRegions: new Set(
      e.UNSUPPORTED_REGIONS.split(',')
        .map((r) => r.trim())
        .filter((r) => r !== ''),
    ),
    dingtalkWebhookPrefix: e.DINGTALK_WEBHOOK_PREFIX,
    dingtalkRateLimit: e.DINGTALK_RATE_LIMIT,
    dingtalkRateWindowSeconds: e.DINGTALK_RATE_WINDOW_SECONDS,
    dingtalkThrottleSeconds: e.DINGTALK_THROTTLE_SECONDS,
    deliveryTimeoutMs: e.DELIVERY_TIMEOUT_MS,
    retryBaseSeconds: e.RETRY_BASE_SECONDS,
    retryMaxDelaySeconds: e.RETRY_MAX_DELAY_SECONDS,
    retryMaxAttempts: e.RETRY_MAX_ATTEMPTS,
    allowPrivateTargets: e.ALLOW_PRIVATE_TARGETS,
    reconcileAfterSeconds: e.RECONCILE_AFTER_SECONDS,
    ingestRatePerSecond: e.INGEST_RATE_PER_SECOND,
    ingestBurst: e.INGEST_BURST,
    logLevel: e.LOG_LEVEL,
  };
}
