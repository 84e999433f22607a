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

/**
 * Parsers: zod/mini schemas, each taking the raw string to its typed value; a failure's
 * message is the sentence shown. zod/mini because every function parses this
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

/** A setting's default: one value, or one per mode. Strings, as the environment gives them. */
type Default = string | { readonly local: string; readonly aws: string };

/**
 * One environment variable: the Config field it fills, its parser (raw string → typed
 * value; a failure's message is what start-up prints), its default, what serverless.yml's
 * `provider.environment` sets it to, and the line the README's settings table shows.
 * test/unit/settings.test.ts holds serverless.yml and the README to this table.
 */
interface Setting<K extends string, T> {
  readonly key: K;
  readonly rule: Rule<T>;
  readonly default: Default;
  /**
   * serverless.yml's value for it. Omitted: `${env:NAME, '<deployed default>'}`; a string:
   * that exact value (the stack's own resources); null: not set there (`why` says why).
   */
  readonly deployed?: string | null;
  readonly doc: string;
  readonly secret?: true;
}

const setting = <K extends string, T>(s: Setting<K, T>): Setting<K, T> => s;

const optionalEndpoint = z.pipe(optionalUrl, z.transform((v) => v || undefined));
const regionList = z.pipe(
  asIs,
  z.transform((v): ReadonlySet<string> => new Set(v.split(',').map((r) => r.trim()).filter((r) => r !== ''))),
);
const masterKey = z.pipe(
  secretsKey,
  z.transform((v): Buffer | undefined => (v === '' ? undefined : Buffer.from(v, 'base64'))),
);

/** Comma-separated http(s) URLs, at least one. */
const urlList = z.pipe(
  z.string().check(z.trim()),
  z.transform((text: string, ctx) => {
    const urls = text.split(',').map((u) => u.trim()).filter((u) => u !== '');
    if (urls.length === 0 || !urls.every(isHttpUrl)) ctx.issues.push({ code: 'custom', message: 'expected comma-separated http(s) URLs', input: text });
    return urls;
  }),
);

/** `limit/seconds` windows, comma-separated: Feishu's `5/1,100/60`. */
const rateWindows = z.pipe(
  z.string().check(z.trim()),
  z.transform((text: string, ctx) => {
    const windows = text.split(',').map((w) => /^\s*(\d{1,5})\s*\/\s*(\d{1,5})\s*$/.exec(w));
    const parsed = windows.flatMap((m) => (m && Number(m[1]) > 0 && Number(m[2]) > 0 ? [{ limit: Number(m[1]), windowMs: Number(m[2]) * 1000 }] : []));
    if (parsed.length === 0 || parsed.length !== windows.length) ctx.issues.push({ code: 'custom', message: 'expected limit/seconds windows, e.g. 5/1,100/60', input: text });
    return parsed;
  }),
);

/**
 * Every setting, in the order start-up reports problems. To add one: a line here (and
 * its row in the README and, when deployed functions read it, serverless.yml; the
 * settings test says what is missing).
 */
export const SETTINGS = {
  SERVICE_VERSION: setting({ key: 'version', rule: trimmed, default: '0.0.0', deployed: '${file(./package.json):version}', doc: 'version reported by /v1/health and the OpenAPI document' }),
  PORT: setting({ key: 'port', rule: int(1, 65535), default: '3000', deployed: null, doc: 'local HTTP API port (`npm start` only)' }),
  TABLE_NAME: setting({ key: 'tableName', rule: matching(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name'), default: 'registry-events-local', deployed: '${env:TABLE_NAME, self:custom.tableName}', doc: 'the DynamoDB table (deployed: the stack\'s own)' }),
  QUEUE_URL: setting({ key: 'queueUrl', rule: trimmed, default: '', deployed: '${env:QUEUE_URL, self:custom.queueUrlRef}', doc: 'the delivery queue (deployed: the stack\'s own; locally set by `npm start`)' }),
  DEAD_LETTER_QUEUE_URL: setting({ key: 'deadLetterQueueUrl', rule: trimmed, default: '', deployed: '${env:DEAD_LETTER_QUEUE_URL, self:custom.deadLetterQueueUrlRef}', doc: 'the delivery queue\'s DLQ' }),
  DYNAMODB_ENDPOINT: setting({ key: 'dynamodbEndpoint', rule: optionalEndpoint, default: '', doc: 'DynamoDB endpoint override (DynamoDB Local; set by `npm start`)' }),
  SQS_ENDPOINT: setting({ key: 'sqsEndpoint', rule: optionalEndpoint, default: '', doc: 'SQS endpoint override (the local SQS emulator; set by `npm start`)' }),
  AWS_REGION: setting({ key: 'awsRegion', rule: trimmed, default: 'us-east-1', deployed: null, doc: 'AWS region of the SDK clients (deployed: set by Lambda itself)' }),
  ADMIN_API_KEY: setting({ key: 'adminApiKey', rule: asIs, default: { local: LOCAL_DEV_ADMIN_KEY, aws: '' }, doc: 'bootstrap admin key (≥ 16 chars; the local default logs a warning); deployed: read from `ADMIN_API_KEY_PARAMETER` when empty', secret: true }),
  ADMIN_API_KEY_PARAMETER: setting({ key: 'adminApiKeyParameter', rule: trimmed, default: '', deployed: '${env:ADMIN_API_KEY_PARAMETER, self:custom.adminKeyParameter}', doc: 'SSM SecureString read when `ADMIN_API_KEY` is empty (deployed: `/registry-events/<stage>/admin-api-key`)' }),
  SECRETS_KEY: setting({ key: 'secretsKey', rule: masterKey, default: '', doc: 'base64 32-byte master key sealing rule secrets (locally generated into `.local-data/secrets.key`)', secret: true }),
  SECRETS_KMS_KEY_ID: setting({ key: 'secretsKmsKeyId', rule: trimmed, default: '', deployed: '${env:SECRETS_KMS_KEY_ID, self:custom.secretsKeyRef}', doc: 'KMS key wrapping rule-secret data keys when `SECRETS_KEY` is empty (deployed: the stack\'s own)' }),
  EVENT_RETENTION_SECONDS: setting({ key: 'eventRetentionSeconds', rule: int(1, 31_536_000), default: '259200', doc: 'how long events and traces can be looked up (3 days)' }),
  MAX_RULES_PER_REGION: setting({ key: 'maxRulesPerRegion', rule: int(1, 100_000), default: '10', doc: 'rule quota per region, shared by every instance in it' }),
  UNSUPPORTED_REGIONS: setting({ key: 'unsupportedRegions', rule: regionList, default: DEFAULT_UNSUPPORTED_REGIONS, doc: 'regions where rules cannot be created' }),
  DINGTALK_WEBHOOK_PREFIX: setting({ key: 'dingtalkWebhookPrefix', rule: httpUrl, default: 'https://oapi.dingtalk.com/robot/send', doc: 'DingTalk webhook URLs must start with this' }),
  DINGTALK_RATE_LIMIT: setting({ key: 'dingtalkRateLimit', rule: int(1, 10_000), default: '20', doc: 'messages per chatbot per window' }),
  DINGTALK_RATE_WINDOW_SECONDS: setting({ key: 'dingtalkRateWindowSeconds', rule: int(1, 86_400), default: '60', doc: 'the window' }),
  DINGTALK_THROTTLE_SECONDS: setting({ key: 'dingtalkThrottleSeconds', rule: int(1, 86_400), default: '600', doc: 'pause after DingTalk reports throttling' }),
  FEISHU_WEBHOOK_PREFIXES: setting({ key: 'feishuWebhookPrefixes', rule: urlList, default: 'https://open.feishu.cn/open-apis/bot/v2/hook/,https://open.larksuite.com/open-apis/bot/v2/hook/', doc: 'Feishu/Lark webhook URLs must start with one of these (comma-separated)' }),
  FEISHU_RATE_WINDOWS: setting({ key: 'feishuRateWindows', rule: rateWindows, default: '5/1,100/60', doc: 'Feishu limits per bot, `limit/seconds` windows' }),
  FEISHU_THROTTLE_SECONDS: setting({ key: 'feishuThrottleSeconds', rule: int(1, 86_400), default: '60', doc: 'pause after Feishu reports throttling' }),
  WECOM_WEBHOOK_PREFIX: setting({ key: 'wecomWebhookPrefix', rule: httpUrl, default: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send', doc: 'WeCom webhook URLs must start with this' }),
  WECOM_RATE_WINDOWS: setting({ key: 'wecomRateWindows', rule: rateWindows, default: '20/60', doc: 'WeCom limits per bot' }),
  WECOM_THROTTLE_SECONDS: setting({ key: 'wecomThrottleSeconds', rule: int(1, 86_400), default: '60', doc: 'pause after WeCom reports throttling (45009)' }),
  SLACK_WEBHOOK_PREFIX: setting({ key: 'slackWebhookPrefix', rule: httpUrl, default: 'https://hooks.slack.com/services/', doc: 'Slack incoming-webhook URLs must start with this' }),
  SLACK_RATE_WINDOWS: setting({ key: 'slackRateWindows', rule: rateWindows, default: '1/1', doc: 'Slack limits per webhook' }),
  SLACK_THROTTLE_SECONDS: setting({ key: 'slackThrottleSeconds', rule: int(1, 86_400), default: '30', doc: 'pause after a Slack 429 without Retry-After' }),
  DELIVERY_TIMEOUT_MS: setting({ key: 'deliveryTimeoutMs', rule: int(100, 120_000), default: '5000', doc: 'per HTTP attempt' }),
  RETRY_BASE_SECONDS: setting({ key: 'retryBaseSeconds', rule: int(1, 86_400), default: '5', doc: 'first retry delay (exponential backoff, full jitter)' }),
  RETRY_MAX_DELAY_SECONDS: setting({ key: 'retryMaxDelaySeconds', rule: int(1, 604_800), default: '900', doc: 'cap on one retry delay' }),
  RETRY_MAX_ATTEMPTS: setting({ key: 'retryMaxAttempts', rule: int(1, 10_000), default: '100', doc: 'attempts before a delivery is `dead`' }),
  ALLOW_PRIVATE_TARGETS: setting({ key: 'allowPrivateTargets', rule: bool, default: { local: 'true', aws: 'false' }, doc: 'allow loopback/private notification targets' }),
  RECONCILE_AFTER_SECONDS: setting({ key: 'reconcileAfterSeconds', rule: int(1, 86_400), default: '120', doc: 'an open delivery (pending, retrying, throttled, parked chat mail) overdue by this long is re-driven by the reconciler, once per such period' }),
  SUSPEND_AFTER_SECONDS: setting({ key: 'suspendAfterSeconds', rule: int(1, 2_592_000), default: '86400', doc: 'circuit breaker: a rule answered only by failures for this long…' }),
  SUSPEND_MIN_ATTEMPTS: setting({ key: 'suspendMinAttempts', rule: int(1, 1_000_000), default: '20', doc: '…across at least this many attempts is suspended (its new deliveries held)' }),
  INGEST_RATE_PER_SECOND: setting({ key: 'ingestRatePerSecond', rule: int(1, 1_000_000), default: '100', doc: 'events per second per API key (per function instance) before 429' }),
  INGEST_BURST: setting({ key: 'ingestBurst', rule: int(100, 10_000_000), default: '200', doc: 'burst of the ingest rate (at least one full batch)' }),
  LOG_LEVEL: setting({ key: 'logLevel', rule: oneOf(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL', 'TRACE']), default: 'INFO', doc: '`DEBUG`, `INFO`, `WARN`, `ERROR`' }),
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
type Parsed = { [N in SettingName]: z.output<Settings[N]['rule']> };
/** The settings as typed values, by their Config field. */
type SettingValues = { [N in SettingName as Settings[N]['key']]: z.output<Settings[N]['rule']> };

/** Every variable through its rule; all problems at once, in declaration order. */
function parseVariables(merged: Record<string, string>): Parsed {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(SETTINGS) as [string, Setting<string, unknown>][]) {
    const raw = merged[name] ?? '';
    const result = spec.rule.safeParse(raw);
    if (!result.success) {
      const shown = spec.secret ? '' : ` (got ${JSON.stringify(raw)})`;
      problems.push(`${name}: ${result.error.issues[0]?.message ?? 'invalid'}${shown}`);
    } else {
      values[name] = result.data;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Parsed;
}

/** Every setting by its field, plus what follows from them. */
export interface Config extends SettingValues {
  mode: StackMode;
  adminKeyIsDefault: boolean;
  /** The other chat providers (SPEC §12): allowed prefixes, rate windows, throttle pause. */
  chat: Record<'feishu' | 'wecom' | 'slack', { prefixes: string[]; windows: { limit: number; windowMs: number }[]; throttleSeconds: number }>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function defaultOf(name: SettingName, mode: StackMode): string {
  const d: Default = SETTINGS[name].default;
  return typeof d === 'string' ? d : d[mode];
}

/** Parses the environment. Empty strings count as unset, so `${env:X, ''}` falls back to defaults. */
export function loadConfig(env: Env = process.env): Config {
  const modeRaw = (env.STACK_MODE ?? '').trim() || 'aws';
  if (modeRaw !== 'local' && modeRaw !== 'aws') {
    throw new ConfigError([`STACK_MODE: expected "local" or "aws"`]);
  }
  const mode: StackMode = modeRaw;
  const merged: Record<string, string> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const value = env[name];
    merged[name] = value !== undefined && value.trim() !== '' ? value : defaultOf(name, mode);
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
  if (e.SECRETS_KEY === undefined && e.SECRETS_KMS_KEY_ID === '') {
    problems.push('SECRETS_KEY: required (base64 of 32 bytes), or SECRETS_KMS_KEY_ID naming a KMS key');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const values: Record<string, unknown> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) values[SETTINGS[name].key] = e[name];
  return { ...(values as SettingValues), mode, adminKeyIsDefault: e.ADMIN_API_KEY === LOCAL_DEV_ADMIN_KEY,
    chat: {
      feishu: { prefixes: e.FEISHU_WEBHOOK_PREFIXES, windows: e.FEISHU_RATE_WINDOWS, throttleSeconds: e.FEISHU_THROTTLE_SECONDS },
      wecom: { prefixes: [e.WECOM_WEBHOOK_PREFIX], windows: e.WECOM_RATE_WINDOWS, throttleSeconds: e.WECOM_THROTTLE_SECONDS },
      slack: { prefixes: [e.SLACK_WEBHOOK_PREFIX], windows: e.SLACK_RATE_WINDOWS, throttleSeconds: e.SLACK_THROTTLE_SECONDS },
    },
  };
}
