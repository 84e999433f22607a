/**
 * Child processes of the local stack. Each runs in its own process group and is
 * recorded in a pid file, so a later `npm start` can clean up after a crash (the
 * parent killed with SIGKILL leaves its children running) without manual steps.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface Recorded {
  pid: number;
  marker: string;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

export async function stopProcess(pid: number, graceMs = 5_000): Promise<void> {
  if (!alive(pid)) return;
  killGroup(pid, 'SIGTERM');
  if (!(await waitGone(pid, graceMs))) {
    killGroup(pid, 'SIGKILL');
    await waitGone(pid, 2_000);
  }
}

export class ProcessRegistry {
  private readonly children: { child: ChildProcess; marker: string }[] = [];

  constructor(private readonly pidFile: string) {}

  /** Stops whatever a crashed earlier run left behind (only processes we recognise). */
  async cleanupStale(log: (line: string) => void): Promise<void> {
    if (!existsSync(this.pidFile)) return;
    let recorded: Recorded[] = [];
    try {
      recorded = JSON.parse(readFileSync(this.pidFile, 'utf8')) as Recorded[];
    } catch {
      recorded = [];
    }
    for (const { pid, marker } of recorded) {
      if (typeof pid === 'number' && alive(pid) && commandLine(pid).includes(marker)) {
        log(`stopping leftover process ${pid} from an earlier run`);
        await stopProcess(pid);
      }
    }
    this.save();
  }

  spawn(command: string, args: string[], options: SpawnOptions, marker: string): ChildProcess {
    const child = spawn(command, args, { ...options, detached: true });
    this.children.push({ child, marker });
    this.save();
    return child;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.children.map(({ child }) => (child.pid ? stopProcess(child.pid) : Promise.resolve())));
    this.children.length = 0;
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.pidFile), { recursive: true });
    const recorded: Recorded[] = this.children
      .filter(({ child }) => child.pid !== undefined && child.exitCode === null)
      .map(({ child, marker }) => ({ pid: child.pid as number, marker }));
    writeFileSync(this.pidFile, JSON.stringify(recorded));
  }
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  abort: () => string | undefined = () => undefined,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const fatal = abort();
    if (fatal) throw new Error(fatal);
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > until) throw new Error(`${what} did not become ready within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
