/**
 * The web console in a real headless Chromium against `npm start`'s stack, acting as a
 * user would (roles and labels, not CSS paths): sign-in and sign-out, API keys, the
 * two-step wizard creating a DingTalk rule (delivering to a DingTalk look-alike) and an
 * HTTP rule, field errors at their fields, history, a failing delivery's trace and its
 * redelivery, the language switch, a hostile tag that must stay text, axe-core on every
 * page, and the key in no browser storage. The README's screenshots are taken here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserStorage, launchBrowser, seriousAxeViolations } from '../support/browser';
import type { DingTalkServer } from '../support/dingtalkServer';
import { startDingTalkServer } from '../support/dingtalkServer';
import type { ChatLookalike } from '../../local/lookalikes/chat';
import { startFeishuLookalike } from '../../local/lookalikes/feishu';
import type { RunningStack } from '../support/localStack';
import { stackPorts, startStack } from '../support/localStack';
import type { Receiver } from '../support/receiver';
import { startReceiver } from '../support/receiver';

const ADMIN = 'browser-admin-key-0123456789abcdef';
const I = 'cri-console01';
const DOCS = join(import.meta.dirname, '..', '..', 'docs');
/** Tags are OCI-validated at ingest, so the hostile value rides in the event ID (any printable ASCII) and the source. */
const HOSTILE_ID = '<img src=x onerror=alert(1)>';
const BOT = 'consoleBOTtoken0042';
const BOT_SECRET = 'SECconsole0123456789abcdef';

const dataDir = mkdtempSync(join(tmpdir(), 'registry-events-console-'));
let stack: RunningStack;
let ding: DingTalkServer;
let feishu: ChatLookalike;
const FEISHU_HOOK = 'consoleFeishuHook0077';
const FEISHU_SECRET = 'feishu-console-secret-0123';
let receiver: Receiver;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];
/** Every secret the browser has been given; none may be readable by script afterwards. */
const secrets: string[] = [ADMIN];

async function post(path: string, body: unknown, contentType = 'application/json') {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': contentType },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function event(id: string, type: string, status: string, tag: string, extra: Record<string, unknown> = {}) {
  const field = { 'cr:Artifact:ScanCompleted': 'ScanStatus', 'cr:Artifact:BuildCompleted': 'BuildStatus' }[type] ?? 'Status';
  return {
    specversion: '1.0',
    id,
    source: 'acs.cr',
    type,
    time: new Date().toISOString(),
    data: { InstanceId: I, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'api', Tag: tag, [field]: status },
    ...extra,
  };
}

async function expectAccessible(name: string) {
  const violations = await seriousAxeViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

async function expectNoSecretInStorage() {
  const storage = await browserStorage(page);
  for (const secret of secrets) expect(storage).not.toContain(secret);
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  ding = await startDingTalkServer({ limit: 20, windowMs: 60_000, throttleMs: 600_000 });
  ding.setSecret(BOT, BOT_SECRET);
  receiver = await startReceiver('/registry-hook');
  feishu = await startFeishuLookalike();
  feishu.setSecret(FEISHU_HOOK, FEISHU_SECRET);
  stack = await startStack({
    ...(await stackPorts()),
    ADMIN_API_KEY: ADMIN,
    LOCAL_DATA_DIR: dataDir,
    LOCAL_DYNAMODB_IN_MEMORY: 'true',
    DINGTALK_WEBHOOK_PREFIX: ding.prefix,
    FEISHU_WEBHOOK_PREFIXES: feishu.prefix,
    RETRY_BASE_SECONDS: '1',
    RETRY_MAX_DELAY_SECONDS: '2',
    // Short enough for the operations test to see a rule suspended; needs 4 failures in a row.
    SUSPEND_AFTER_SECONDS: '2',
    SUSPEND_MIN_ATTEMPTS: '4',
  });
  browser = await launchBrowser();
  // Reduced motion: axe measures colours at rest, not halfway through a transition.
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', reducedMotion: 'reduce' });
  page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 180_000);

afterEach(async (context) => {
  // What the page looked like when a step failed, for whoever reads the CI log.
  if (context.task.result?.state === 'fail' && page) {
    const file = join(tmpdir(), `console-failure-${Date.now()}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`console test failed on ${page.url()}; screenshot: ${file}`);
  }
});

afterAll(async () => {
  await browser?.close();
  if (stack && stack.child.exitCode === null) {
    stack.child.kill('SIGINT');
    await stack.exited;
  }
  await ding?.close();
  await feishu?.close();
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Presses Tab until the focused element's label, aria-label or text matches: how a keyboard user gets there. */
async function tabTo(target: Page, name: RegExp, maxPresses = 40): Promise<void> {
  for (let i = 0; i < maxPresses; i += 1) {
    await target.keyboard.press('Tab');
    const focused = String(
      await target.evaluate(`(() => {
        const el = document.activeElement;
        if (!el) return '';
        const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
        return [el.getAttribute('aria-label'), label, el.textContent].filter(Boolean).join(' | ');
      })()`),
    );
    if (name.test(focused)) return;
  }
  throw new Error(`no focusable element matching ${String(name)} within ${maxPresses} Tab presses`);
}

/**
 * Types into the focused field as a user would, and checks the field took it: on a loaded
 * machine a keystroke can land while the page re-renders, so a short field is retyped
 * (select all, type again) rather than trusted.
 */
async function typeHere(target: Page, text: string): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    await target.keyboard.press('ControlOrMeta+A');
    await target.keyboard.type(text, { delay: 20 });
    if ((await target.evaluate('document.activeElement && document.activeElement.value')) === text) return;
  }
  throw new Error(`the focused field did not take ${JSON.stringify(text)}`);
}

describe('web console', () => {
  it('is served with its own strict headers, hashed long-cached assets and an uncached index', async () => {
    const index = await fetch(`${stack.baseUrl}/console`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    const html = await index.text();
    expect(html).not.toMatch(/<script>|<style|style=/);
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      expect(asset).toMatch(/-[A-Z0-9]{8}\.(js|css)$/);
      const response = await fetch(`${stack.baseUrl}${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-encoding')).toBe('gzip');
    }
    expect((await fetch(`${stack.baseUrl}/console/assets/app-NOTTHERE.js`)).status).toBe(404);
  });

  it('signs in with a pasted key that no browser storage keeps', async () => {
    await page.goto(`${stack.baseUrl}/console`);
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await expectAccessible('sign-in');
    await page.getByLabel('API key').fill('rek_ak-0000000000000000_' + 'A'.repeat(43));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That API key is not valid (or it was revoked).').waitFor();
    await page.getByLabel('API key').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Instances' }).waitFor();
    expect(await page.getByLabel('API key').count()).toBe(0);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'ren_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    await expectNoSecretInStorage();
    await expectAccessible('instances');
  }, 60_000);

  it('creates an API key shown once, lists it and revokes it', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('ci-publisher');
    await page.getByLabel('events:write').check();
    await page.getByLabel('Instance IDs (comma-separated, or *)').fill(I);
    await page.getByRole('button', { name: 'Create API key' }).click();
    const shown = page.getByLabel('New API key');
    await shown.waitFor();
    const apiKey = await shown.inputValue();
    expect(apiKey).toMatch(/^rek_ak-[a-z0-9]{16}_/);
    secrets.push(apiKey);
    const row = page.getByRole('row', { name: /ci-publisher/ });
    await expect.poll(() => row.textContent()).toContain('active');
    await expectAccessible('api keys');
    await expectNoSecretInStorage();

    // Field errors land on their field.
    await page.getByLabel('Name').fill('bad name!');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await expect.poll(() => page.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');

    // Shown once: a reload shows it nowhere.
    await page.reload();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('row', { name: /ci-publisher/ }).count()).toBe(1);
    expect(await page.content()).not.toContain(apiKey);

    await page.getByRole('button', { name: 'Revoke ci-publisher' }).click();
    await page.getByRole('button', { name: 'Revoke ci-publisher for good' }).click();
    await expect.poll(() => page.getByRole('row', { name: /ci-publisher/ }).textContent()).toContain('revoked');
  }, 60_000);

  it('walks the Create Rule wizard for a DingTalk rule, with a live tag check, a preview and field errors', async () => {
    await page.getByRole('link', { name: 'Instances' }).click();
    await page.getByRole('heading', { name: 'Instances', level: 1 }).waitFor();
    await page.getByLabel('Instance ID', { exact: true }).fill(I);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
    await page.getByText('No event rules yet.').waitFor();
    await expectAccessible('rules (empty)');

    await page.getByRole('button', { name: 'Create Rule' }).click();
    await page.getByRole('heading', { name: 'Step 1 of 2: Event Scope' }).waitFor();
    await page.getByLabel('Rule name').fill('scan-to-dingtalk');
    await page.getByLabel(/^ScanCompleted/).check();
    await page.getByLabel(/^FAILED/).check();
    await page.getByRole('radio', { name: 'Repository' }).check();
    await page.getByRole('textbox', { name: 'Namespace', exact: true }).fill('team-a');
    await page.getByLabel('Repositories (comma-separated)').fill('api, web');
    await page.getByLabel('Tag regular expression (RE2, whole tag)').fill('v[0-9]+\\..*');
    await page.getByLabel('Sample tags to check (comma-separated)').fill('latest, v1.2.0');
    const check = page.locator('#tag-check');
    await expect.poll(() => check.textContent()).toContain('latest ✗ does not match');
    expect(await check.textContent()).toContain('v1.2.0 ✓ matches');
    await expectAccessible('wizard step 1');
    await page.screenshot({ path: join(DOCS, 'console-wizard.png'), fullPage: true });

    // An invalid pattern is caught before step 2, at its field.
    await page.getByLabel('Tag regular expression (RE2, whole tag)').fill('(?<=v)1');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.getByLabel('Tag regular expression (RE2, whole tag)').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Tag regular expression (RE2, whole tag)').fill('v[0-9]+\\..*');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Step 2 of 2: Event Notification' }).waitFor();
    await page.getByLabel('Method').selectOption('dingtalk');
    // A URL outside DINGTALK_WEBHOOK_PREFIX: the API's error lands on the URL field.
    await page.getByLabel('Chatbot webhook URL').fill('https://example.com/robot/send?access_token=x');
    await page.getByLabel('Secret (optional)').fill(BOT_SECRET);
    await page.getByLabel('Message template (optional, markdown)').fill('### {{eventType}} {{status}}\n{{namespace}}/{{repoName}}:{{tag}}');
    await expect.poll(() => page.locator('pre.preview').textContent()).toContain('team-a/api:latest');
    await expectAccessible('wizard step 2');
    await page.getByRole('button', { name: 'Create' }).click();
    const url = page.getByLabel('Chatbot webhook URL');
    await expect.poll(() => url.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#f-notify-webhookUrl-error').textContent()).toContain(ding.prefix);

    await url.fill(ding.webhookUrl(BOT));
    secrets.push(BOT, BOT_SECRET);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
    const row = page.getByRole('row', { name: /scan-to-dingtalk/ });
    await row.waitFor();
    // The chatbot's token is masked on read.
    expect(await row.textContent()).toContain('access_token=****0042');
    expect(await page.content()).not.toContain(BOT);

    // The same name again: back to step 1 with the error at the name.
    await page.getByRole('button', { name: 'Create Rule' }).click();
    await page.getByLabel('Rule name').fill('scan-to-dingtalk');
    await page.getByLabel(/^BuildCompleted/).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Endpoint URL').waitFor({ state: 'detached' }).catch(() => undefined);
    await page.getByLabel('Method').selectOption('http');
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Step 1 of 2: Event Scope' }).waitFor();
    await expect.poll(() => page.getByLabel('Rule name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#f-ruleName-error').textContent()).toContain('already exists');
  }, 90_000);

  it('creates an HTTP rule, sends a test notification and shows quota use', async () => {
    await page.getByLabel('Rule name').fill('all-to-webhook');
    await page.getByLabel(/^ScanCompleted/).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
    await page.getByRole('row', { name: /all-to-webhook/ }).waitFor();
    await page.getByText('Region cn-hangzhou: 2 of 10 rules used').waitFor();

    await page.getByRole('button', { name: 'Send test scan-to-dingtalk' }).click();
    await page.getByText('Test notification of scan-to-dingtalk delivered').waitFor();
    expect(ding.messages(BOT).some((m) => m.signed)).toBe(true);

    await page.getByRole('button', { name: 'Disable all-to-webhook' }).click();
    await expect.poll(() => page.getByRole('row', { name: /all-to-webhook/ }).textContent()).toContain('Disabled');
    await page.getByRole('button', { name: 'Enable all-to-webhook' }).click();
    await expect.poll(() => page.getByRole('row', { name: /all-to-webhook/ }).textContent()).toContain('Enabled');
    await expectAccessible('rules');
    await page.screenshot({ path: join(DOCS, 'console-rules.png'), fullPage: true });
  }, 60_000);

  it('edits with If-Match and says so when someone else changed the rule first', async () => {
    await page.getByRole('link', { name: 'Edit all-to-webhook' }).click();
    await page.getByRole('heading', { name: 'Edit Rule all-to-webhook' }).waitFor();
    // Someone else edits the rule meanwhile (through the API).
    const list = await fetch(`${stack.baseUrl}/v1/instances/${I}/rules`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const rule = ((await list.json()) as { rules: { ruleId: string; ruleName: string; version: number }[] }).rules.find((r) => r.ruleName === 'all-to-webhook');
    const patched = await fetch(`${stack.baseUrl}/v1/instances/${I}/rules/${rule?.ruleId ?? ''}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', 'if-match': `"${rule?.version ?? 0}"` },
      body: JSON.stringify({ tagPattern: 'v.*' }),
    });
    expect(patched.status).toBe(200);
    await page.getByLabel(/^BuildCompleted/).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('This rule was changed by someone else').waitFor();
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.getByLabel('Tag regular expression (RE2, whole tag)').inputValue()).toBe('v.*');
    await page.getByLabel('Tag regular expression (RE2, whole tag)').fill('.*');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
  }, 60_000);

  it('lists ingested events in the history, hostile values as text, with filters and auto-refresh', async () => {
    receiver.script({ status: 400 });
    const failing = await post('/v1/events', event('evt-console-fail', 'cr:Artifact:ScanCompleted', 'FAILED', 'v1.2.0'));
    expect(failing.status).toBe(202);
    expect(failing.json.matchedRuleIds).toHaveLength(2);
    // Only this event's delivery may meet the scripted 400.
    await poll('the failing attempt', async () => (receiver.received.length >= 1 ? true : undefined));
    const hostile = await post('/v1/events', event(HOSTILE_ID, 'cr:Artifact:ScanCompleted', 'SUCCESS', 'v1.2.1', { source: '<script>alert(2)</script>' }));
    expect(hostile.status).toBe(202);

    await page.getByRole('link', { name: 'Event History' }).click();
    await page.getByRole('heading', { name: `Event History of ${I}` }).waitFor();
    await page.getByRole('link', { name: HOSTILE_ID }).waitFor();
    const hostileRow = page.getByRole('row', { name: /onerror/ });
    expect(await hostileRow.textContent()).toContain(HOSTILE_ID);
    expect(await page.locator('img').count()).toBe(0);
    await expectAccessible('history');

    await page.getByLabel('Refresh every 5 seconds').check();
    expect((await post('/v1/events', event('evt-console-later', 'cr:Artifact:BuildCompleted', 'SUCCESS', 'v2.0.0'))).status).toBe(202);
    await page.getByRole('link', { name: 'evt-console-later' }).waitFor({ timeout: 15_000 });
    await page.getByLabel('Refresh every 5 seconds').uncheck();

    await page.getByLabel('Event type').selectOption('cr:Artifact:BuildCompleted');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByRole('link', { name: /^evt-console-/ }).count()).toBe(1);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => page.getByRole('link', { name: /^evt-console-|onerror/ }).count()).toBe(3);

    // The hostile id and source render as text in the trace too.
    await page.getByRole('link', { name: HOSTILE_ID }).click();
    await page.getByRole('heading', { name: /Event Trace/ }).waitFor();
    expect(await page.getByRole('heading', { name: /Event Trace/ }).textContent()).toContain(HOSTILE_ID);
    await page.getByText('The CloudEvent as received').click();
    expect(await page.locator('pre.cloudevent').textContent()).toContain('<script>alert(2)</script>');
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("shows a failing delivery's attempts in the trace, and redelivers it", async () => {
    await page.getByRole('link', { name: 'Query by Event ID' }).click();
    await page.getByRole('heading', { name: 'Query by Event ID' }).waitFor();
    await expectAccessible('query');
    await page.getByLabel('Event ID').fill('evt-console-fail');
    await page.getByRole('button', { name: 'Query' }).click();
    await page.getByRole('heading', { name: /Event Trace/ }).waitFor();
    const webhook = page.getByRole('article', { name: /all-to-webhook/ });
    await poll('the failed attempt', async () => {
      await page.reload();
      await page.getByRole('heading', { name: /Event Trace/ }).waitFor();
      const text = (await webhook.textContent()) ?? '';
      return text.includes('Attempt 1') && text.includes('HTTP 400') ? text : undefined;
    });
    expect(await webhook.textContent()).toContain('failed');
    const chatbot = page.getByRole('article', { name: /scan-to-dingtalk/ });
    await poll('the DingTalk delivery', async () => ((await chatbot.textContent()) ?? '').includes('delivered') || (await page.reload(), undefined) ? true : undefined);
    await expectAccessible('trace');
    await page.screenshot({ path: join(DOCS, 'console-trace.png'), fullPage: true });

    await page.getByRole('button', { name: 'Redeliver all-to-webhook' }).click();
    await page.getByText(/Queued again: crecr-/).waitFor();
    await poll('the redelivery', async () => {
      await page.reload();
      await page.getByRole('heading', { name: /Event Trace/ }).waitFor();
      return ((await webhook.textContent()) ?? '').includes('Attempt 2') ? true : undefined;
    });
    expect(await webhook.textContent()).toMatch(/Attempt 2 at .*: delivered/);
    expect(receiver.received.length).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('creates a Harbor source (URL and token shown once) whose native push shows in the trace with its payload', async () => {
    await page.getByRole('link', { name: 'Sources' }).click();
    await page.getByRole('heading', { name: `Registry sources of ${I}` }).waitFor();
    await page.getByText('No sources yet.').waitFor();
    await expectAccessible('sources (empty)');
    await page.getByLabel('Name', { exact: true }).fill('harbor-prod');
    await page.getByLabel('Registry').selectOption('harbor');
    await page.getByRole('button', { name: 'Create source' }).click();
    const token = await page.getByLabel('Token (Authorization: Bearer …)').inputValue();
    const url = await page.getByLabel('Webhook URL').inputValue();
    expect(token).toMatch(/^rst_src-[a-z0-9]{16}_/);
    expect(url).toMatch(new RegExp(`^${stack.baseUrl}/v1/sources/src-[a-z0-9]{16}/events$`));
    secrets.push(token);
    await page.getByRole('row', { name: /harbor-prod/ }).waitFor();
    await expectAccessible('sources');
    await expectNoSecretInStorage();

    // The registry posts its own format with the token.
    const harborPush = {
      type: 'PUSH_ARTIFACT',
      occur_at: Math.floor(Date.now() / 1000),
      operator: 'admin',
      event_data: {
        resources: [{ digest: `sha256:${'a'.repeat(64)}`, tag: 'v3.0.0', resource_url: 'hub.example.com/team-a/api:v3.0.0' }],
        repository: { date_created: 1, name: 'api', namespace: 'team-a', repo_full_name: 'team-a/api', repo_type: 'private' },
      },
    };
    const posted = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(harborPush) });
    expect(posted.status).toBe(202);
    const result = ((await posted.json()) as { results: { eventId: string; status: string }[] }).results[0];
    expect(result?.status).toBe('accepted');

    await page.getByRole('link', { name: 'Query by Event ID' }).click();
    await page.getByLabel('Event ID').fill(result?.eventId ?? '');
    await page.getByRole('button', { name: 'Query' }).click();
    await page.getByText('harbor-prod (harbor), item 0 of its payload').waitFor();
    await page.getByText("The registry's payload as received").click();
    await expect.poll(() => page.locator('pre.cloudevent').first().textContent()).toContain('PUSH_ARTIFACT');
    expect(await page.content()).not.toContain(token);

    // Deleting the source: shown once means a reload shows no token anywhere.
    await page.getByRole('link', { name: 'Sources' }).click();
    await page.getByRole('button', { name: 'Delete harbor-prod' }).click();
    await page.getByRole('button', { name: 'Delete harbor-prod for good' }).click();
    await page.getByText('Source harbor-prod deleted').waitFor();
    await page.getByText('No sources yet.').waitFor();
  }, 60_000);

  it('creates a Feishu rule through the wizard: webhook URL and signing secret, masked on read, signed test notification', async () => {
    await page.getByRole('link', { name: 'Instances' }).click();
    await page.getByLabel('Instance ID', { exact: true }).fill(I);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
    await page.getByRole('button', { name: 'Create Rule' }).click();
    await page.getByLabel('Rule name').fill('scan-to-feishu');
    await page.getByLabel(/^ScanCompleted/).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Step 2 of 2: Event Notification' }).waitFor();
    await page.getByLabel('Method').selectOption('feishu');
    await page.getByLabel('Chatbot webhook URL').fill(feishu.webhookUrl(FEISHU_HOOK));
    await page.getByLabel('Secret (optional)').fill(FEISHU_SECRET);
    secrets.push(FEISHU_HOOK, FEISHU_SECRET);
    await page.getByLabel('Message template (optional, markdown)').waitFor();
    await expectAccessible('wizard step 2 (Feishu)');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
    const row = page.getByRole('row', { name: /scan-to-feishu/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('****0077');
    expect(await page.content()).not.toContain(FEISHU_HOOK);

    await page.getByRole('button', { name: 'Send test scan-to-feishu' }).click();
    await page.getByText('Test notification of scan-to-feishu delivered').waitFor();
    const [message] = feishu.messages(FEISHU_HOOK);
    expect(message?.signed).toBe(true);
    expect(message?.text).toContain('ScanCompleted');
    // Back where the previous step left the page, for the steps after this one.
    await page.getByRole('link', { name: 'Sources' }).click();
    await page.getByText('No sources yet.').waitFor();
  }, 60_000);

  it('can be used with the keyboard alone: sign in, open an instance, create a rule', async () => {
    const keyboardContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', reducedMotion: 'reduce' });
    const kb = await keyboardContext.newPage();
    try {
      await kb.goto(`${stack.baseUrl}/console`);
      await kb.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
      // The page's heading has focus, so the next Tab reaches the key field.
      await expect.poll(() => kb.evaluate('document.activeElement.tagName')).toBe('H1');
      await tabTo(kb, /API key/, 1);
      await typeHere(kb, ADMIN);
      await kb.keyboard.press('Enter');
      await kb.getByRole('heading', { name: 'Instances', level: 1 }).waitFor();
      await expect.poll(() => kb.evaluate('document.activeElement.tagName')).toBe('H1');
      await tabTo(kb, /^Instance ID/);
      await typeHere(kb, I);
      await kb.keyboard.press('Enter');
      await kb.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
      await expect.poll(() => kb.evaluate('document.activeElement.tagName')).toBe('H1');
      // The list has arrived (as a user would see it), so no re-render takes the focus mid-way.
      await kb.getByRole('row', { name: /scan-to-dingtalk/ }).waitFor();
      await tabTo(kb, /^Create Rule$/);
      await kb.keyboard.press('Enter');
      await kb.getByRole('heading', { name: 'Step 1 of 2: Event Scope' }).waitFor();
      // Like every page, the wizard opens with its heading focused: the keyboard user starts there.
      await expect.poll(() => kb.evaluate('document.activeElement.tagName')).toBe('H1');
      await tabTo(kb, /^Rule name/);
      await typeHere(kb, 'keyboard-only');
      await tabTo(kb, /^SigningCompleted/);
      await kb.keyboard.press('Space');
      await tabTo(kb, /^Next$/);
      await kb.keyboard.press('Enter');
      await kb.getByRole('heading', { name: 'Step 2 of 2: Event Notification' }).waitFor();
      await tabTo(kb, /^Method/);
      // dingtalk → https → http
      await kb.keyboard.press('ArrowDown');
      await kb.keyboard.press('ArrowDown');
      await tabTo(kb, /^Endpoint URL/);
      await typeHere(kb, receiver.url);
      await tabTo(kb, /^Create$/);
      await kb.keyboard.press('Enter');
      await kb.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
      // The rule exists (made by keyboard alone), and the list shows it (after a reload if
      // the list was read before the write was visible to it, on a loaded machine).
      await poll('the keyboard-made rule', async () => {
        const list = await fetch(`${stack.baseUrl}/v1/instances/${I}/rules`, { headers: { authorization: `Bearer ${ADMIN}` } });
        const names = ((await list.json()) as { rules: { ruleName: string }[] }).rules.map((r) => r.ruleName);
        return names.includes('keyboard-only') ? true : undefined;
      });
      if ((await kb.getByRole('row', { name: /keyboard-only/ }).count()) === 0) await kb.reload();
      await kb.getByRole('row', { name: /keyboard-only/ }).waitFor();
    } catch (error) {
      await kb.screenshot({ path: join(tmpdir(), `console-keyboard-failure-${Date.now()}.png`), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await keyboardContext.close();
    }
  }, 60_000);

  it('operations: a suspended rule shows its badge and resumes, the alert target, bulk redelivery and the chatbot page', async () => {
    const down = await startReceiver('/down');
    try {
      down.script(...Array.from({ length: 200 }, () => ({ status: 503 })));
      const created = await post(`/v1/instances/${I}/rules`, {
        ruleName: 'always-503',
        regionId: 'cn-hangzhou',
        eventTypes: ['cr:Artifact:BuildCompleted'],
        scope: { type: 'REPO', namespace: 'team-a', repoNames: ['ops-repo'] },
        notify: { method: 'http', url: down.url },
      });
      expect(created.status).toBe(201);
      const ruleId = String(created.json.ruleId);
      const sent = await post(
        '/v1/events',
        { ...event('evt-console-ops', 'cr:Artifact:BuildCompleted', 'SUCCESS', 'v1'), data: { InstanceId: I, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'ops-repo', Tag: 'v1', BuildStatus: 'SUCCESS' } },
        'application/cloudevents+json',
      );
      expect(sent.status).toBe(202);
      const get = async (path: string) => (await fetch(`${stack.baseUrl}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json() as Promise<Record<string, unknown>>;
      // Suspended (SUSPEND_* are short on this stack), and its retrying delivery held at its next turn.
      await poll('the delivery held by the suspended rule', async () => {
        // Other rules of the instance (all-to-webhook) match the event too: look at this rule's delivery.
        const trace = (await get(`/v1/instances/${I}/events/evt-console-ops`)) as { deliveries?: { ruleId: string; state: string }[] };
        return trace.deliveries?.find((d) => d.ruleId === ruleId)?.state === 'suspended' ? true : undefined;
      }, 60_000);

      await page.getByRole('link', { name: 'Event Rules', exact: true }).click();
      await page.getByRole('heading', { name: `Event Rules of ${I}` }).waitFor();
      const row = page.getByRole('row', { name: /always-503/ });
      await expect.poll(() => row.textContent()).toContain('suspended');
      await expectAccessible('rules with a suspended rule');
      down.unscript();
      await page.getByRole('button', { name: 'Resume always-503' }).click();
      await page.getByText('always-503 resumed: 1 held deliveries queued again.').waitFor();
      // The Resume button went away with the re-render: focus is on the status line, not lost to the page top.
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('rules-notice');
      await poll('delivered after resume', async () => {
        const rule = (await get(`/v1/instances/${I}/rules/${ruleId}`)) as { health?: { state: string; last24h: { delivered: number } } };
        return rule.health?.state === 'healthy' && rule.health.last24h.delivered === 1 ? true : undefined;
      });
      await page.reload();
      await expect.poll(() => page.getByRole('row', { name: /always-503/ }).textContent()).toContain('healthy');
      expect(await page.getByRole('button', { name: 'Resume always-503' }).count()).toBe(0);

      await page.getByRole('link', { name: 'Operations' }).click();
      await page.getByRole('heading', { name: `Operations of ${I}` }).waitFor();
      await page.getByText('No alert target yet.').waitFor();
      await expectAccessible('operations');
      await page.getByLabel('Method').selectOption('http');
      await page.getByLabel('URL').fill('ftp://nowhere');
      await page.getByRole('button', { name: 'Save alert target' }).click();
      await expect.poll(() => page.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('URL').fill(receiver.url);
      await page.getByRole('button', { name: 'Save alert target' }).click();
      await page.getByText('Alert target saved.').waitFor();
      await page.getByText(`Current: http ${receiver.url}`).waitFor();
      await page.getByRole('button', { name: 'Redeliver' }).click();
      await page.getByText(/^\d+ deliveries queued again\.$/).waitFor();
      await expectAccessible('operations after saving');
      await page.getByRole('button', { name: 'Remove alert target' }).click();
      await page.getByText('Alert target removed.').waitFor();

      await page.getByRole('link', { name: 'Chatbots' }).click();
      await page.getByRole('heading', { name: `Chatbots of ${I}` }).waitFor();
      const bot = page.getByRole('row', { name: /\*\*\*\*0042/ });
      await bot.waitFor();
      expect(await bot.textContent()).toMatch(/\d+ of 20 in 60 s/);
      expect(await bot.textContent()).toContain('not paused');
      // The rules that share the bot, by name, each a link to the rule.
      await bot.getByRole('link', { name: 'scan-to-dingtalk' }).waitFor();
      expect(await page.content()).not.toContain(BOT);
      await expectAccessible('chatbots');
      await page.screenshot({ path: join(DOCS, 'console-chatbots.png'), fullPage: true });
      await page.getByRole('link', { name: 'Sources' }).click();
      await page.getByRole('heading', { name: `Registry sources of ${I}` }).waitFor();
    } finally {
      await down.close();
    }
  }, 120_000);

  it('says what went wrong where it went wrong: alert and bulk fields, a missing rule, a bad event id, a key without rules:write', async () => {
    // Operations: a Slack alert URL outside Slack's prefix is an error at the URL field.
    await page.goto(`${stack.baseUrl}/console#/instances/${I}/operations`);
    await page.getByRole('heading', { name: `Operations of ${I}` }).waitFor();
    await page.getByLabel('Method').selectOption('slack');
    await page.getByLabel('URL', { exact: true }).fill('https://example.com/not-slack');
    await page.getByRole('button', { name: 'Save alert target' }).click();
    await expect.poll(() => page.getByLabel('URL', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // Bulk redelivery: a range that ends before it starts is an error at Since.
    await page.getByLabel('Since').fill('2026-12-07T00:00');
    await page.getByLabel('Until').fill('2026-12-01T00:00');
    await page.getByRole('button', { name: 'Redeliver', exact: true }).click();
    await page.getByText('must not be after until').waitFor();
    expect(await page.getByLabel('Since').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible('operations with field errors');

    // Editing a rule that does not exist: the error and a way back, no form that would create one.
    await page.goto(`${stack.baseUrl}/console#/instances/${I}/rules/crecr-aaaaaaaaaaaaaaaa/edit`);
    await page.getByRole('link', { name: 'Back to Event Rules' }).waitFor();
    expect(await page.getByLabel('Rule name').count()).toBe(0);

    // Query by Event ID says what an id is.
    await page.goto(`${stack.baseUrl}/console#/instances/${I}/query`);
    await page.getByRole('heading', { name: 'Query by Event ID' }).waitFor();
    await page.getByLabel('Event ID').fill('事件');
    await page.getByRole('button', { name: 'Query' }).click();
    await page.getByText('An event ID is 1–128 printable ASCII characters.').waitFor();

    // History by delivery state: nothing is held any more (the operations test resumed it);
    // the resumed event is among the delivered ones.
    await page.goto(`${stack.baseUrl}/console#/instances/${I}/events`);
    await page.getByRole('heading', { name: `Event History of ${I}` }).waitFor();
    await page.getByLabel('Delivery state').selectOption('suspended');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No events match.').waitFor();
    await page.getByLabel('Delivery state').selectOption('delivered');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('row', { name: /evt-console-ops/ }).waitFor();
    await expectAccessible('history filtered by delivery state');

    // A key that may read rules but not the alert target still gets the rule list, and is told why.
    const reader = await post('/v1/api-keys', { name: 'rules-reader', scopes: ['rules:read', 'events:read', 'events:write'], instanceIds: [I] });
    expect(reader.status).toBe(201);
    const readerKey = String(reader.json.apiKey);
    secrets.push(readerKey);
    const readerContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const readerPage = await readerContext.newPage();
    try {
      await readerPage.goto(`${stack.baseUrl}/console`);
      await readerPage.getByLabel('API key').fill(readerKey);
      await readerPage.getByRole('button', { name: 'Sign in' }).click();
      await readerPage.getByRole('heading', { name: 'Instances', level: 1 }).waitFor();
      await readerPage.goto(`${stack.baseUrl}/console#/instances/${I}/operations`);
      await readerPage.getByText('This key cannot see or change the alert target').waitFor();
      await expect.poll(() => readerPage.getByLabel('Rule').locator('option').count()).toBeGreaterThan(1);
    } finally {
      await readerContext.close();
    }
    // Back where the steps before this one left the page, for the language step.
    await page.getByRole('link', { name: 'Sources' }).click();
    await page.getByText('No sources yet.').waitFor();
  }, 60_000);

  it('switches to 简体中文 and back, and signs out', async () => {
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('heading', { name: `${I} 的镜像仓库事件源` }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    await expectAccessible('sources (zh-CN)');
    await page.getByRole('link', { name: '按事件 ID 查询' }).click();
    await page.getByLabel('事件 ID').fill('evt-console-fail');
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByRole('heading', { name: /事件轨迹/ }).waitFor();
    await page.getByText(/第 2 次尝试/).waitFor();
    await expectAccessible('trace (zh-CN)');
    await page.getByRole('link', { name: '事件历史' }).click();
    await page.getByRole('heading', { name: `${I} 的事件历史` }).waitFor();
    await page.getByLabel('语言').selectOption('en');
    await page.getByRole('heading', { name: `Event History of ${I}` }).waitFor();

    await expectNoSecretInStorage();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    expect(await context.cookies()).toEqual([]);
    const me = await page.request.get(`${stack.baseUrl}/v1/me`);
    expect(me.status()).toBe(401);
    await expectNoSecretInStorage();
  }, 60_000);
});
