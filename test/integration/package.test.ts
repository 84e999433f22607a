/** `npx serverless package`, offline and without AWS credentials, and what its template promises. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'registry-events-package-'));
type Resource = { Type: string; Properties: Record<string, unknown> };
let resources: Record<string, Resource>;

beforeAll(async () => {
  // No AWS credentials of any kind: packaging must work offline without them.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)$/.test(name)),
  );
  Object.assign(env, {
    ESBUILD_WORK_FOLDER: '.esbuild-package-test',
    SLS_TELEMETRY_DISABLED: '1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  });
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', 'ci', '--package', out], {
    cwd: ROOT,
    env,
    timeout: 120_000,
  });
  const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as { Resources: Record<string, Resource> };
  resources = template.Resources;
}, 150_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(join(ROOT, '.esbuild-package-test'), { recursive: true, force: true });
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('serverless package', () => {
  it('declares every function on nodejs22.x with its own role, bundled and under 400 KB zipped', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([name]) => name).sort()).toEqual(
      ['ApiKeys', 'Console', 'Deliver', 'Events', 'Ingest', 'Meta', 'Reconciler', 'Rules', 'SourceEvents', 'Sources'].map((n) => `${n}LambdaFunction`),
    );
    for (const [name, fn] of functions) {
      expect(fn.Properties.Runtime, name).toBe('nodejs22.x');
      expect(JSON.stringify(fn.Properties.Role), name).toContain(name.replace('LambdaFunction', 'Role'));
    }
    for (const zip of readdirSync(out).filter((f) => f.endsWith('.zip'))) {
      expect(statSync(join(out, zip)).size, zip).toBeLessThan(400 * 1024);
    }
  });

  it('has the table with TTL, PITR, on-demand billing and its indexes', () => {
    const table = resources.Table?.Properties ?? {};
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect((table.GlobalSecondaryIndexes as { IndexName: string }[]).map((i) => i.IndexName)).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4']);
  });

  it('has the queue with a DLQ redrive (5 receives) and a visibility timeout >= 6x the deliver timeout', () => {
    const queue = resources.DeliveryQueue?.Properties ?? {};
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['DeliveryDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
    const deliverTimeout = Number(resources.DeliverLambdaFunction?.Properties.Timeout);
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * deliverTimeout);
    const [[, mapping] = ['', { Properties: {} }]] = ofType('AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  it('schedules the reconciler every minute and routes the HTTP API, with a $default route', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties.ScheduleExpression);
    expect(rules).toEqual(['rate(1 minute)']);
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routes).toEqual(expect.arrayContaining(['GET /v1/health', 'POST /v1/api-keys', 'POST /v1/events', '$default']));
    // The web console rides on the same HTTP API in every stage.
    expect(routes).toEqual(expect.arrayContaining(['GET /console', 'GET /console/{proxy+}', 'POST /v1/sessions', 'GET /v1/me']));
  });

  it('throttles the HTTP API stage', () => {
    const stages = ofType('AWS::ApiGatewayV2::Stage').map(([, r]) => r.Properties.DefaultRouteSettings);
    expect(stages[0]).toEqual({ ThrottlingBurstLimit: 500, ThrottlingRateLimit: 200 });
  });

  it('lets the functions that read deliveries use BatchGetItem (deliveryRepository reads event + state in one call)', () => {
    for (const name of ['DeliverRole', 'ReconcilerRole']) {
      const role = resources[name];
      const policies = (role?.Properties.Policies ?? []) as { PolicyDocument: { Statement: { Action: string | string[] }[] } }[];
      const actions = policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => [s.Action].flat()));
      expect(actions, name).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
    }
  });

  it('gives the source functions only what they use: no SSM for the token-only route, no deletes for ingest', () => {
    const actionsOf = (name: string) => {
      const policies = (resources[name]?.Properties.Policies ?? []) as { PolicyDocument: { Statement: { Action: string | string[] }[] } }[];
      return policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => [s.Action].flat())).sort();
    };
    expect(actionsOf('SourceEventsRole')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage']);
    expect(actionsOf('SourcesRole')).toEqual(
      ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ssm:GetParameter'].sort(),
    );
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routes).toEqual(expect.arrayContaining(['POST /v1/sources/{sourceId}/events', 'POST /v1/instances/{instanceId}/sources', 'DELETE /v1/instances/{instanceId}/sources/{sourceId}']));
  });

  it('grants no wildcard actions and names its resources', () => {
    for (const [name, role] of ofType('AWS::IAM::Role')) {
      for (const policy of role.Properties.Policies as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[]) {
        for (const statement of policy.PolicyDocument.Statement) {
          for (const action of [statement.Action].flat()) expect(action, name).not.toContain('*');
          expect(JSON.stringify(statement.Resource), name).not.toBe('"*"');
        }
      }
    }
  });

  it('reads the admin key from SSM in deployed stages, and defaults private targets off', () => {
    const env = (resources.RulesLambdaFunction?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.ADMIN_API_KEY_PARAMETER).toBe('/registry-events/ci/admin-api-key');
    expect(env.ALLOW_PRIVATE_TARGETS).toBe('false');
    expect(env.STACK_MODE).toBe('aws');
  });
});
