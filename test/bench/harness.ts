/** Shared bench plumbing: real DynamoDB Local + SQS emulator, call counting, output. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { CreateQueueCommand, SQSClient as Sqs } from '@aws-sdk/client-sqs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDynamoClient, startDynamoLocal } from '../../local/dynamoLocal';
import { ProcessRegistry } from '../../local/processes';
import { startSqsEmulator } from '../../local/sqs/server';
import { ensureTable } from '../../local/table';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';

export interface Figure {
  id: string;
  label: string;
  value: number;
  unit: string;
  goal?: string;
  ok?: boolean;
  detail?: Record<string, number | string>;
}

export const figures: Figure[] = [];

export function report(figure: Figure): void {
  figures.push(figure);
  const goal = figure.goal ? `  (goal ${figure.goal}: ${figure.ok ? 'met' : 'NOT met'})` : '';
  const detail = figure.detail
    ? `  ${Object.entries(figure.detail).map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : v}`).join(' ')}`
    : '';
  console.log(`${figure.id.padEnd(28)} ${figure.label}: ${round(figure.value)} ${figure.unit}${goal}${detail}`);
}

export function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 1000) / 1000;
}

/** Counts requests that actually go on the wire (one per HTTP attempt). */
export function countCalls(client: { middlewareStack: DynamoDBDocumentClient['middlewareStack'] | SQSClient['middlewareStack'] }) {
  const counter = { calls: 0, byCommand: new Map<string, number>() };
  (client.middlewareStack as DynamoDBDocumentClient['middlewareStack']).add(
    (next, context) => async (args) => {
      counter.calls += 1;
      const name = String(context.commandName);
      counter.byCommand.set(name, (counter.byCommand.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchCallCounter' },
  );
  return {
    get calls() {
      return counter.calls;
    },
    byCommand: () => Object.fromEntries(counter.byCommand),
    reset() {
      counter.calls = 0;
      counter.byCommand.clear();
    },
  };
}

async function freePort(): Promise<number> {
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

export async function startBackends() {
  const registry = new ProcessRegistry(join(tmpdir(), `registry-events-bench-${process.pid}.json`));
  const dynamo = await startDynamoLocal({ port: await freePort(), registry });
  const tableName = 'bench';
  const admin = localDynamoClient(dynamo.endpoint);
  await ensureTable(admin, tableName);
  admin.destroy();
  const emulator = await startSqsEmulator({});
  const sqs = new Sqs({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-deliveries' }));
  return {
    dynamoEndpoint: dynamo.endpoint,
    tableName,
    sqsEndpoint: emulator.endpoint,
    queueUrl: QueueUrl,
    sqs,
    newDocumentClient: () => createDocumentClient({ dynamodbEndpoint: dynamo.endpoint, awsRegion: 'us-east-1' }),
    async stop() {
      sqs.destroy();
      await emulator.close();
      await registry.stopAll();
    },
  };
}

export type Backends = Awaited<ReturnType<typeof startBackends>>;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
