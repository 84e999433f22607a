/** Figure 7: ingest → receiver latency on the running local stack (npm start), 200 events. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackPorts, startStack } from '../support/localStack';
import { startReceiver } from '../support/receiver';
import { percentile, report } from './harness';

export async function benchEndToEnd(): Promise<void> {
  const receiver = await startReceiver();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const stack = await startStack({ ...(await stackPorts()), LOCAL_DATA_DIR: dataDir, LOCAL_DYNAMODB_IN_MEMORY: 'true', ADMIN_API_KEY: 'bench-admin-key-0123456789', LOG_LEVEL: 'WARN' });
  try {
    const headers = { authorization: 'Bearer bench-admin-key-0123456789', 'content-type': 'application/json' };
    await fetch(`${stack.baseUrl}/v1/instances/cri-bench0e2e/rules`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ruleName: 'e2e', regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:BuildCompleted'], scope: { type: 'INSTANCE' }, notify: { method: 'http', url: receiver.url } }),
    });
    const n = 200;
    const sentAt = new Map<string, number>();
    // One client sending back to back: the latency of the pipeline, not of a queue of requests.
    for (let i = 0; i < n; i += 1) {
      const id = `e2e-${Date.now()}-${i}`;
      sentAt.set(id, performance.now() + performance.timeOrigin);
      await fetch(`${stack.baseUrl}/v1/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ specversion: '1.0', id, source: 'bench', type: 'cr:Artifact:BuildCompleted', data: { InstanceId: 'cri-bench0e2e', RegionId: 'cn-hangzhou', RepoNamespaceName: 'ns', RepoName: 'r', Tag: 'v1', BuildStatus: 'SUCCESS' } }),
      });
    }
    const deadline = Date.now() + 60_000;
    while (receiver.received.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const latencies = receiver.received
      .map((r) => {
        const id = (JSON.parse(r.body) as { id: string }).id;
        const start = sentAt.get(id);
        return start === undefined ? Number.NaN : r.at - start;
      })
      .filter((v) => Number.isFinite(v))
      .sort((a, b) => a - b);
    report({
      id: 'e2e.latency',
      label: `ingest → receiver on the running local stack, ${n} events (p50)`,
      value: percentile(latencies, 50),
      unit: 'ms',
      detail: { p99ms: percentile(latencies, 99), received: latencies.length },
    });
  } finally {
    stack.child.kill('SIGINT');
    await stack.exited;
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
