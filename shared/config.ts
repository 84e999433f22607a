/**
 * The environment, parsed and validated once, typed. Every SPEC §3 setting lives here;
 * nothing else in the code reads process.env. A bad value throws ConfigError naming the
 * variable and the rule it broke (never echoing secret values).
 */
import * as z from 'zod/mini';

export type StackMode = 'local' | 'aws';

export const DEFAULT_UNSUPPORTED_REGIONS =
  'cn-shanghai-finance-1,cn-shenzhen-finance-1,cn-hangzhou-finance,cn-north-2-gov-1,eu-west-1';
export const LOCAL_DEV_ADMIN_KEY = 'local-dev-admin-key';

const SECRET_VARIABLES = new Set(['ADMIN_API_KEY', 'SECRETS_KEY']);

/**
 * One zod/mini schema per variable, each parsing the raw string to its typed value; a
 * failure's message is the sentence shown. zod/mini because every function parses this
 * once per cold start: the classic API's schema building cost ~3 ms of it.
 */
type Rule<T> = z.ZodMiniType<T, string>;

const asIs = z.string();
const trimmed = z.string().check(z.trim());

const int = (min: number, max: number): Rule<number> => {
  const problem = `expected a whole number between ${min} and ${max}`;
  return z.pipe(
    z.string().check(
      z.trim(),
      z.regex(/^\d+$/, problem),
      z.refine((v) => Number(v) >= min && Number(v) <= max, problem),
    ),
    z.transform(Number),
  );
};

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);
const bool: Rule<boolean> = z.pipe(
  z.string().check(
    z.trim(),
    z.toLowerCase(),
    z.refine((v) => TRUE.has(v) || FALSE.has(v), 'expected true or false'),
  ),
  z.transform((v) => TRUE.has(v)),
);

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

const httpUrl = z.string().check(z.trim(), z.refine(isHttpUrl, 'expected an http(s) URL'));
const optionalUrl = z.string().check(z.trim(), z.refine((v) => v === '' || isHttpUrl(v), 'expected an http(s) URL'));
const matching = (pattern: RegExp, problem: string) => z.string().check(z.trim(), z.regex(pattern, problem));
const oneOf = <const T extends string>(values: readonly [T, ...T[]]): Rule<T> =>
  z.pipe(z.string().check(z.trim(), z.toUpperCase()), z.enum(values, `expected one of ${values.join(', ')}`));
const secretsKey = z.string().check(
  z.trim(),
  z.refine((v) => v === '' || Buffer.from(v, 'base64').length === 32, 'expected base64 of 32 bytes'),
);

const VARIABLES = {
  SERVICE_VERSION: trimmed,
  PORT: int(1, 65535),
  TABLE_NAME: matching(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name'),
  QUEUE_URL: trimmed,
  DEAD_LETTER_QUEUE_URL: trimmed,
  DYNAMODB_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
  AWS_REGION: trimmed,
  ADMIN_API_KEY: asIs,
  ADMIN_API_KEY_PARAMETER: trimmed,
  SECRETS_KEY: secretsKey,
  SECRETS_KMS_KEY_ID: trimmed,
  EVENT_RETENTION_SECONDS: int(1, 31_536_000),
  MAX_RULES_PER_REGION: int(1, 100_000),
  UNSUPPORTED_REGIONS: asIs,
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
  SUSPEND_AFTER_SECONDS: int(1, 2_592_000),
  SUSPEND_MIN_ATTEMPTS: int(1, 1_000_000),
  INGEST_RATE_PER_SECOND: int(1, 1_000_000),
  INGEST_BURST: int(100, 10_000_000),
  LOG_LEVEL: oneOf(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL', 'TRACE']),
} as const;

type Variables = { [K in keyof typeof VARIABLES]: z.output<(typeof VARIABLES)[K]> };

/** Every variable through its rule; all problems at once, in declaration order. */
function parseVariables(merged: Record<string, string>): Variables {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, rule] of Object.entries(VARIABLES) as [string, Rule<unknown>][]) {
    const raw = merged[name] ?? '';
    const result = rule.safeParse(raw);
    if (!result.success) {
      const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(raw)})`;
      problems.push(`${name}: ${result.error.issues[0]?.message ?? 'invalid'}${shown}`);
    } else {
      values[name] = result.data;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Variables;
}

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
  /** How far past its due time an open delivery may get before the reconciler re-drives it (once per such period). */
  reconcileAfterSeconds: number;
  /** Circuit breaker (SPEC §13): a rule answered only by failures for this long... */
  suspendAfterSeconds: number;
  /** ...across at least this many attempts is suspended (its new deliveries held). */
  suspendMinAttempts: number;
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
    SUSPEND_AFTER_SECONDS: '86400',
    SUSPEND_MIN_ATTEMPTS: '20',
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
  const merged: Record<string, string> = defaultsFor(mode);
  for (const key of Object.keys(VARIABLES)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') merged[key] = value;
  }
  const e = parseVariables(merged);
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
    suspendAfterSeconds: e.SUSPEND_AFTER_SECONDS,
    suspendMinAttempts: e.SUSPEND_MIN_ATTEMPTS,
    ingestRatePerSecond: e.INGEST_RATE_PER_SECOND,
    ingestBurst: e.INGEST_BURST,
    logLevel: e.LOG_LEVEL,
  };
}
