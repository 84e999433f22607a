/**
 * `npm start`: the whole system on one machine, loopback only, no Docker, no cloud.
 *   DynamoDB Local → table from resources/table.yml
 *   local SQS emulator → delivery queue + DLQ from resources/queues.yml
 *   serverless-offline → the HTTP API (behind a front door on PORT), the reconciler
 *                        schedule, a Lambda invoke API
 *   poller → invokes `deliver` as serverless.yml's sqs event configures it
 *   look-alikes → DingTalk, Feishu, WeCom and Slack bots plus an HTTP catch-all on
 *                 loopback; the chat prefixes point at them unless exported
 * Ctrl-C stops everything; a crashed earlier run is cleaned up on the next start.
 */
import { CreateQueueCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { generateMasterKey } from '../shared/adapters/crypto/secretSealer';
import { ConfigError, loadConfig } from '../shared/config';
import { startDynamoLocal, localDynamoClient } from './dynamoLocal';
import { startFrontDoor } from './frontDoor';
import { startOffline } from './offline';
import { lambdaInvoker, startPoller } from './poller';
import { ProcessRegistry, waitFor } from './processes';
import { readQueueDefinitions, readSqsTrigger, ROOT } from './serviceDefinition';
import { startSqsEmulator } from './sqs/server';
import { ensureTable } from './table';
import { LOCAL_SECRETS, SIGNED_BOT, startLookalikes } from './lookalikes';

const STAGE = 'local';
const REGION = 'us-east-1';

function log(line: string, fields?: Record<string, unknown>): void {
  const suffix = fields ? ` ${JSON.stringify(fields)}` : '';
  console.log(`[local] ${line}${suffix}`);
}

/** The local master key sealing rule secrets: generated once, kept beside the data it protects. */
function localSecretsKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const key = generateMasterKey();
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function secondsFrom(env: NodeJS.ProcessEnv, name: string): number {
  const raw = env[name]?.trim();
  if (!raw) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 3600) throw new ConfigError([`${name}: expected whole seconds from 1 to 3600`]);
  return n;
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError([`${name}: expected a port number`]);
  return n;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const env = process.env;
  const dataDir = env.LOCAL_DATA_DIR?.trim() || join(ROOT, '.local-data');
  const ports = {
    dynamo: portFrom(env, 'LOCAL_DYNAMODB_PORT', 8000),
    sqs: portFrom(env, 'LOCAL_SQS_PORT', 9324),
    lambda: portFrom(env, 'LOCAL_LAMBDA_PORT', 3002),
    lookalikes: portFrom(env, 'LOCAL_LOOKALIKE_PORT', 4580),
  };
  const reconcileEvery = secondsFrom(env, 'LOCAL_RECONCILE_EVERY_SECONDS');
  const tableName = env.TABLE_NAME?.trim() || `registry-events-${STAGE}`;
  const secretsKey = env.SECRETS_KEY?.trim() || localSecretsKey(join(dataDir, 'secrets.key'));
  const baseEnv: NodeJS.ProcessEnv = {
    ...env,
    STACK_MODE: 'local',
    TABLE_NAME: tableName,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ALLOW_PRIVATE_TARGETS: env.ALLOW_PRIVATE_TARGETS?.trim() || 'true',
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${ports.dynamo}`,
    SECRETS_KEY: secretsKey,
  };
  // Validate every setting before starting anything: a bad value stops here.
  const config = loadConfig({ ...baseEnv, QUEUE_URL: 'pending', DEAD_LETTER_QUEUE_URL: 'pending' });
  if (config.adminKeyIsDefault) {
    console.warn('[local] WARNING: ADMIN_API_KEY is not set; using the local development key "local-dev-admin-key".');
  }

  // Look-alike receivers in this process (they stop with it), limits as configured.
  const lookalikes = await startLookalikes(config, ports.lookalikes, log);
  for (const [name, prefix] of Object.entries(lookalikes.prefixes)) {
    if (!env[name]?.trim()) baseEnv[name] = prefix; // an exported prefix wins
  }

  const registry = new ProcessRegistry(join(dataDir, 'pids.json'));
  await registry.cleanupStale(log);

  let shuttingDown = false;
  const cleanups: (() => Promise<void>)[] = [];
  async function shutdown(code: number): Promise<never> {
    if (!shuttingDown) {
      shuttingDown = true;
      log('stopping…');
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      await lookalikes.close();
      await registry.stopAll();
      log('stopped');
    }
    process.exit(code);
  }
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));

  try {
    const inMemory = env.LOCAL_DYNAMODB_IN_MEMORY === 'true';
    const startDynamo = () =>
      startDynamoLocal({
        port: ports.dynamo,
        registry,
        ...(inMemory ? {} : { dataDir: join(dataDir, 'dynamodb') }),
        onOutput: (line) => env.LOCAL_VERBOSE === 'true' && log(`dynamodb: ${line}`),
      });
    const dynamo = await startDynamo();
    // Like a managed table, DynamoDB Local comes back if it dies (with its data, when
    // persisted): the functions' SDK retries and the reconciler ride out the gap.
    const superviseDynamo = async (exited: Promise<string>) => {
      for (let failures = 0; ; ) {
        const reason = await exited;
        if (shuttingDown) return;
        log(`${reason}; restarting it`);
        try {
          const again = await startDynamo();
          log(`DynamoDB Local is back on ${again.endpoint}`);
          exited = again.exited;
          failures = 0;
        } catch (error) {
          failures += 1;
          log(`DynamoDB Local could not restart: ${error instanceof Error ? error.message : String(error)}`);
          if (failures >= 5) return void shutdown(1);
          exited = new Promise((r) => setTimeout(() => r('DynamoDB Local is still down'), 1_000));
        }
      }
    };
    void superviseDynamo(dynamo.exited);
    const ddb = localDynamoClient(dynamo.endpoint);
    const table = await ensureTable(ddb, tableName);
    ddb.destroy();
    log(`DynamoDB Local on ${dynamo.endpoint}, table ${tableName} (${table})`);

    // The queue survives restarts like the table does (SPEC §9); in memory with the table.
    const emulator = await startSqsEmulator({ host: '127.0.0.1', port: ports.sqs, region: REGION, ...(inMemory ? {} : { dataDir: join(dataDir, 'sqs') }) });
    cleanups.push(() => emulator.close());
    const queues = readQueueDefinitions();
    const sqs = new SQSClient({
      endpoint: emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const dlqName = `registry-events-${STAGE}-deliveries-dlq`;
    const queueName = `registry-events-${STAGE}-deliveries`;
    // The queues persist across restarts: a changed definition updates them in place.
    const ensureQueue = async (name: string, attributes: Record<string, string>) => {
      try {
        return await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      } catch (error) {
        if (!(error instanceof Error && error.name === 'QueueNameExists')) throw error;
        const url = emulator.queueUrl(name);
        await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
        return { QueueUrl: url };
      }
    };
    const dlq = await ensureQueue(dlqName, { MessageRetentionPeriod: String(queues.deadLetterRetentionPeriod) });
    const queue = await ensureQueue(queueName, {
          VisibilityTimeout: String(queues.visibilityTimeout),
          MessageRetentionPeriod: String(queues.messageRetentionPeriod),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: emulator.queueArn(dlqName),
            maxReceiveCount: queues.maxReceiveCount,
          }),
    });
    log(`SQS emulator on ${emulator.endpoint} (queue ${queueName}, DLQ after ${queues.maxReceiveCount} receives)`);

    // serverless-offline listens on an inner port; the front door on PORT hands it bodies
    // as API Gateway would (frontDoor.ts).
    const innerPort = await freePort();
    const offline = startOffline({
      registry,
      stage: STAGE,
      httpPort: innerPort,
      lambdaPort: ports.lambda,
      env: {
        ...baseEnv,
        SQS_ENDPOINT: emulator.endpoint,
        QUEUE_URL: queue.QueueUrl ?? '',
        DEAD_LETTER_QUEUE_URL: dlq.QueueUrl ?? '',
      },
      onOutput: (line) => log(`api: ${line}`),
    });
    let offlineExit: string | undefined;
    offline.on('exit', (code, signal) => {
      offlineExit = `serverless-offline exited (${signal ?? code})`;
      if (!shuttingDown) {
        log(offlineExit);
        void shutdown(1);
      }
    });
    const frontDoor = await startFrontDoor({ port: config.port, upstreamPort: innerPort, log });
    cleanups.push(() => frontDoor.close());
    const api = `http://127.0.0.1:${config.port}`;
    await waitFor(
      'the HTTP API',
      async () => (await fetch(`${api}/v1/health`)).status === 200,
      120_000,
      () => offlineExit,
    );

    const trigger = readSqsTrigger('deliver');
    const lambda = new LambdaClient({
      endpoint: `http://127.0.0.1:${ports.lambda}`,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const poller = startPoller({
      sqs,
      invoke: lambdaInvoker(lambda, trigger.functionName(STAGE)),
      queueUrl: queue.QueueUrl ?? '',
      queueArn: emulator.queueArn(queueName),
      trigger,
      region: REGION,
      log,
    });
    cleanups.push(() => poller.stop());

    // The reconciler runs on its `rate(1 minute)` schedule; LOCAL_RECONCILE_EVERY_SECONDS
    // also invokes it this often (short recovery in tests; overlapping runs are safe).
    if (reconcileEvery > 0) {
      const reconcilerName = `${trigger.functionName(STAGE).replace(/-deliver$/, '')}-reconciler`;
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        lambda
          .send(new InvokeCommand({ FunctionName: reconcilerName, Payload: Buffer.from('{}') }))
          .catch((error: unknown) => log(`reconciler invoke failed: ${error instanceof Error ? error.message : String(error)}`))
          .finally(() => {
            running = false;
          });
      }, reconcileEvery * 1000);
      cleanups.push(async () => clearInterval(timer));
    }

    log(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    log(`Console       ${api}/console   (sign in with an API key${config.adminKeyIsDefault ? ', e.g. local-dev-admin-key' : ''})`);
    log(`HTTP API      ${api}/v1   (try: curl ${api}/v1/health)`);
    log(`OpenAPI       ${api}/v1/openapi.json`);
    log(`Lambda API    http://127.0.0.1:${ports.lambda}`);
    log(`DynamoDB      ${dynamo.endpoint}   data in ${inMemory ? '(memory)' : join(dataDir, 'dynamodb')}`);
    log(`SQS           ${emulator.endpoint}   messages in ${inMemory ? '(memory)' : join(dataDir, 'sqs')}`);
    log(`deliver       batchSize ${trigger.batchSize}, window ${trigger.maximumBatchingWindowSeconds} s; reconciler every minute${reconcileEvery > 0 ? ` and every ${reconcileEvery} s` : ''}`);
    const wired = (name: keyof typeof lookalikes.prefixes) => (baseEnv[name] === lookalikes.prefixes[name] ? '' : '   (not used: you exported ' + name + ')');
    log(`Look-alikes   each lists what it received at GET / on its origin`);
    log(`  DingTalk    ${lookalikes.dingtalk.webhookUrl('local-bot')}${wired('DINGTALK_WEBHOOK_PREFIX')}`);
    log(`              ${lookalikes.dingtalk.webhookUrl(SIGNED_BOT)} checks the signature of secret ${LOCAL_SECRETS.dingtalk}`);
    log(`  Feishu      ${lookalikes.feishu.webhookUrl('local-bot')}${wired('FEISHU_WEBHOOK_PREFIXES')}`);
    log(`              ${lookalikes.feishu.webhookUrl(SIGNED_BOT)} checks the signature of secret ${LOCAL_SECRETS.feishu}`);
    log(`  WeCom       ${lookalikes.wecom.webhookUrl('local-bot')}${wired('WECOM_WEBHOOK_PREFIX')}`);
    log(`  Slack       ${lookalikes.slack.webhookUrl('T0LOCAL/B0LOCAL/localbot')}${wired('SLACK_WEBHOOK_PREFIX')}`);
    log(`  HTTP        ${lookalikes.catchAll.url}/any/path   (any POST is accepted)`);
    log('Ctrl-C to stop');
  } catch (error) {
    console.error(`[local] start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`[local] ${error.message}`);
  } else {
    console.error(`[local] ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
