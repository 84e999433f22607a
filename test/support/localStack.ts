/** Runs `npm start`'s entry point as a child process on free ports, as a user would. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './globalSetup';

const ROOT = join(import.meta.dirname, '..', '..');

export interface RunningStack {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  readyMs: number;
  exited: Promise<number | null>;
}

export async function stackPorts() {
  return {
    PORT: String(await freePort()),
    LOCAL_DYNAMODB_PORT: String(await freePort()),
    LOCAL_SQS_PORT: String(await freePort()),
    LOCAL_LAMBDA_PORT: String(await freePort()),
    LOCAL_LOOKALIKE_PORT: '0',
  };
}

export async function startStack(env: Record<string, string>, timeoutMs = 90_000): Promise<RunningStack> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${env.PORT}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`local stack exited early:\n${text}`);
    try {
      if ((await fetch(`${baseUrl}/v1/health`)).status === 200 && text.includes('[local] ready')) break;
    } catch {
      // not up yet
    }
    if (Date.now() - started > timeoutMs) {
      // Ctrl-C first, so the stack stops its own children (DynamoDB Local, serverless-offline);
      // SIGKILL alone would orphan them.
      child.kill('SIGINT');
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
      if (!stopped) child.kill('SIGKILL');
      throw new Error(`local stack not healthy within ${timeoutMs} ms:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, baseUrl, output: () => text, readyMs: Date.now() - started, exited };
}
