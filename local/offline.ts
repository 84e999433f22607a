/** serverless-offline (through the osls CLI): the HTTP API, the schedule, and a Lambda invoke API. */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ProcessRegistry } from './processes';
import { ROOT } from './serviceDefinition';

export const OFFLINE_MARKER = 'osls/bin/serverless.js';

function serverlessBin(): string {
  const pkg = createRequire(import.meta.url).resolve('osls/package.json');
  return join(dirname(pkg), 'bin', 'serverless.js');
}

export function startOffline(opts: {
  registry: ProcessRegistry;
  stage: string;
  httpPort: number;
  lambdaPort: number;
  env: NodeJS.ProcessEnv;
  onOutput: (line: string) => void;
}): ChildProcess {
  const args = [
    serverlessBin(),
    'offline',
    'start',
    '--stage',
    opts.stage,
    '--host',
    '127.0.0.1',
    '--httpPort',
    String(opts.httpPort),
    '--lambdaPort',
    String(opts.lambdaPort),
    '--noPrependStageInUrl',
  ];
  const child = opts.registry.spawn(
    process.execPath,
    args,
    {
      cwd: ROOT,
      env: {
        ...opts.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_DEPRECATION_DISABLE: '*',
        SLS_INTERACTIVE_SETUP_DISABLE: '1',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
    OFFLINE_MARKER,
  );
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') opts.onOutput(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return child;
}
