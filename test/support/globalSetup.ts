/**
 * One real DynamoDB Local (in memory, random loopback port) for the whole test run.
 * Test files create their own tables on it (see dynamo.ts), so they never collide.
 */
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../local/dynamoLocal';
import { ProcessRegistry } from '../../local/processes';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject) {
  const registry = new ProcessRegistry(join(tmpdir(), `registry-events-test-${process.pid}.json`));
  const port = await freePort();
  const dynamo = await startDynamoLocal({ port, registry });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await registry.stopAll();
  };
}
