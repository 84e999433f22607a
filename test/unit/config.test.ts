import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config';

const local = { STACK_MODE: 'local', SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config', () => {
  it('has the SPEC §3 defaults locally', () => {
    const c = loadConfig(local);
    expect(c).toMatchObject({
      port: 3000,
      adminApiKey: 'local-dev-admin-key',
      adminKeyIsDefault: true,
      eventRetentionSeconds: 259_200,
      maxRulesPerRegion: 10,
      dingtalkWebhookPrefix: 'https://oapi.dingtalk.com/robot/send',
      dingtalkRateLimit: 20,
      dingtalkRateWindowSeconds: 60,
      dingtalkThrottleSeconds: 600,
      deliveryTimeoutMs: 5000,
      retryBaseSeconds: 5,
      retryMaxDelaySeconds: 900,
      retryMaxAttempts: 100,
      allowPrivateTargets: true,
    });
    expect([...c.unsupportedRegions]).toEqual([
      'cn-shanghai-finance-1',
      'cn-shenzhen-finance-1',
      'cn-hangzhou-finance',
      'cn-north-2-gov-1',
      'eu-west-1',
    ]);
  });

  it('deployed defaults: private targets off, admin key required', () => {
    expect(problems({ STACK_MODE: 'aws', SECRETS_KMS_KEY_ID: 'arn:aws:kms:x' })).toEqual([
      expect.stringMatching(/^ADMIN_API_KEY: required/),
    ]);
    const c = loadConfig({ STACK_MODE: 'aws', ADMIN_API_KEY_PARAMETER: '/svc/prod/admin-api-key', SECRETS_KMS_KEY_ID: 'k' });
    expect(c.allowPrivateTargets).toBe(false);
    expect(c.adminApiKey).toBe('');
  });

  it('every override is read and typed', () => {
    const c = loadConfig({
      ...local,
      PORT: '4000',
      EVENT_RETENTION_SECONDS: '30',
      MAX_RULES_PER_REGION: '3',
      UNSUPPORTED_REGIONS: ' a-b , c-d ,',
      DINGTALK_WEBHOOK_PREFIX: 'http://127.0.0.1:9999/robot/send',
      DINGTALK_RATE_LIMIT: '5',
      DINGTALK_RATE_WINDOW_SECONDS: '4',
      DINGTALK_THROTTLE_SECONDS: '8',
      DELIVERY_TIMEOUT_MS: '250',
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_DELAY_SECONDS: '2',
      RETRY_MAX_ATTEMPTS: '3',
      ALLOW_PRIVATE_TARGETS: 'false',
    });
    expect(c.port).toBe(4000);
    expect([...c.unsupportedRegions]).toEqual(['a-b', 'c-d']);
    expect(c.allowPrivateTargets).toBe(false);
    expect(c.retryMaxAttempts).toBe(3);
  });

  it('empty strings mean "use the default" (serverless.yml passes ${env:X, \'\'})', () => {
    expect(loadConfig({ ...local, PORT: '', DYNAMODB_ENDPOINT: '' }).port).toBe(3000);
  });

  it.each([
    ['PORT', 'abc', /^PORT: expected a whole number/],
    ['PORT', '70000', /^PORT: /],
    ['EVENT_RETENTION_SECONDS', '-1', /^EVENT_RETENTION_SECONDS: /],
    ['DINGTALK_RATE_LIMIT', '1.5', /^DINGTALK_RATE_LIMIT: /],
    ['ALLOW_PRIVATE_TARGETS', 'maybe', /^ALLOW_PRIVATE_TARGETS: expected true or false/],
    ['DINGTALK_WEBHOOK_PREFIX', 'ftp://x', /^DINGTALK_WEBHOOK_PREFIX: expected an http\(s\) URL/],
    ['RETRY_MAX_DELAY_SECONDS', '1', /^RETRY_MAX_DELAY_SECONDS: must be at least RETRY_BASE_SECONDS/],
  ])('%s=%s is refused with a clear message', (name, value, message) => {
    expect(problems({ ...local, [name]: value })).toEqual([expect.stringMatching(message)]);
  });

  it('never echoes the admin key in its messages', () => {
    const found = problems({ ...local, ADMIN_API_KEY: 'short-secret' });
    expect(found).toEqual(['ADMIN_API_KEY: must be at least 16 characters']);
    expect(found.join()).not.toContain('short-secret');
  });

  it('needs a key to seal rule secrets, and checks its size', () => {
    expect(problems({ STACK_MODE: 'local' })).toEqual([expect.stringMatching(/^SECRETS_KEY: required/)]);
    expect(problems({ ...local, SECRETS_KEY: 'c2hvcnQ=' })).toEqual(['SECRETS_KEY: expected base64 of 32 bytes']);
  });

  it('an unknown STACK_MODE stops start-up', () => {
    expect(problems({ STACK_MODE: 'prod' })).toEqual(['STACK_MODE: expected "local" or "aws"']);
  });
});
