/**
 * Figure 8, the console's budget (issue 12): bytes on the wire (gzip, as served), first
 * load to interactive on the running local stack, and a 100-event history page rendered,
 * each beside what it is measured against in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildConsoleAssets } from '../../console/build.cjs';
import { launchBrowser } from '../support/browser';
import { stackPorts, startStack } from '../support/localStack';
import { percentile, report } from './harness';

const ADMIN = 'bench-admin-key-0123456789';
const I = 'cri-benchconsole';

export async function benchConsole(quick: boolean): Promise<void> {
  const assets = await buildConsoleAssets();
  const gz = (name: string) => gzipSync(Buffer.from(assets.files[name]?.body ?? '', 'base64'), { level: 9 }).length;
  const names = Object.keys(assets.files);
  const initial = names.filter((n) => n === 'index.html' || /^assets\/(app|style)-/.test(n));
  const all = names.filter((n) => n.endsWith('.js') || n.endsWith('.css'));
  const allKb = all.reduce((sum, n) => sum + gz(n), 0) / 1024;
  report({
    id: 'console.bytes',
    label: 'console JS+CSS, gzip: every chunk (first load + RE2 for the wizard + 简体中文)',
    value: allKb,
    unit: 'KB',
    goal: '≤ 80',
    ok: allKb <= 80,
    detail: { firstLoadKB: initial.reduce((sum, n) => sum + gz(n), 0) / 1024, re2KB: Math.max(...all.map(gz)) / 1024 },
  });

  const dataDir = mkdtempSync(join(tmpdir(), 'bench-console-'));
  const stack = await startStack({ ...(await stackPorts()), LOCAL_DATA_DIR: dataDir, LOCAL_DYNAMODB_IN_MEMORY: 'true', ADMIN_API_KEY: ADMIN, LOG_LEVEL: 'WARN' });
  const browser = await launchBrowser();
  try {
    const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/cloudevents-batch+json' };
    const batch = Array.from({ length: 100 }, (_, i) => ({
      specversion: '1.0',
      id: `bench-console-${i}`,
      source: 'bench',
      type: 'cr:Artifact:BuildCompleted',
      data: { InstanceId: I, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'api', Tag: `v1.0.${i}`, BuildStatus: 'SUCCESS' },
    }));
    const ingested = await fetch(`${stack.baseUrl}/v1/events`, { method: 'POST', headers, body: JSON.stringify(batch) });
    if (ingested.status !== 202) throw new Error(`batch ingest answered ${ingested.status}: ${await ingested.text()}`);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/console`);
    await page.getByLabel('API key').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Instances' }).waitFor();

    const runs = quick ? 5 : 15;
    const loads: number[] = [];
    const apiCalls: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      // Cold for the assets each time (a new page, cache disabled), signed in by the cookie.
      const fresh = await context.newPage();
      await fresh.route('**/*', (route) => route.continue());
      const started = Date.now();
      await fresh.goto(`${stack.baseUrl}/console#/instances/${I}/rules`);
      await fresh.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
      await fresh.getByRole('button', { name: 'Create Rule' }).waitFor();
      loads.push(Date.now() - started);
      await fresh.close();
      const apiStarted = Date.now();
      await fetch(`${stack.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${ADMIN}` } });
      await fetch(`${stack.baseUrl}/v1/instances/${I}/rules`, { headers: { authorization: `Bearer ${ADMIN}` } });
      apiCalls.push(Date.now() - apiStarted);
    }
    const load = percentile(loads.sort((a, b) => a - b), 50);
    report({
      id: 'console.firstLoad',
      label: 'first load to interactive (Event Rules, no browser cache), p50',
      value: load,
      unit: 'ms',
      goal: '≤ 1500',
      ok: load <= 1500,
      detail: { p99ms: percentile(loads, 99), apiCallsAloneMs: percentile(apiCalls.sort((a, b) => a - b), 50), ratioToApiCalls: load / Math.max(1, percentile(apiCalls, 50)) },
    });

    const renders: number[] = [];
    const fetches: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      await page.goto(`${stack.baseUrl}/console#/instances/${I}/rules`);
      await page.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
      await page.getByRole('link', { name: 'Event History' }).click();
      await page.getByLabel('Events per page').selectOption('100');
      const started = Date.now();
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.locator('tbody tr').nth(99).waitFor({ timeout: 10_000 }).catch(async (error: unknown) => {
        throw new Error(`history rows on screen: ${await page.locator('tbody tr').count()} (${page.url()})`, { cause: error });
      });
      renders.push(Date.now() - started);
      const fetchStarted = Date.now();
      await fetch(`${stack.baseUrl}/v1/instances/${I}/events?limit=100`, { headers: { authorization: `Bearer ${ADMIN}` } });
      fetches.push(Date.now() - fetchStarted);
    }
    const render = percentile(renders.sort((a, b) => a - b), 50);
    const apiOnly = percentile(fetches.sort((a, b) => a - b), 50);
    report({
      id: 'console.history100',
      label: '100-event history page: Apply → 100 rows on screen (API call included), p50',
      value: render,
      unit: 'ms',
      detail: { apiCallAloneMs: apiOnly, renderOverApiMs: render - apiOnly, ratioToApiCall: render / Math.max(1, apiOnly) },
    });
    report({
      id: 'console.history100.render',
      label: '100-event history page: rendering beyond the API call, p50',
      value: Math.max(0, render - apiOnly),
      unit: 'ms',
      goal: '≤ 200',
      ok: render - apiOnly <= 200,
    });
  } finally {
    await browser.close();
    stack.child.kill('SIGINT');
    await stack.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}
