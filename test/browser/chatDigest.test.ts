/**
 * A burst as a chat group sees it: `npm start`'s stack (with a DingTalk window of 2 per
 * 3 s, so a burst overflows it at once) delivers ten events to its own DingTalk look-alike
 * through one signed rule; the look-alike's page, opened in a real Chromium, shows every
 * event exactly once, in fewer messages than events (whatever waited for a free slot leaves
 * as one digest, its lines in event order) — and the README's picture of a digest is
 * taken here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import type { RunningStack } from '../support/localStack';
import { stackPorts, startStack } from '../support/localStack';

const ADMIN = 'digest-admin-key-0123456789abcdef';
const I = 'cri-digest01';
const DOCS = join(import.meta.dirname, '..', '..', 'docs');
const TAGS = Array.from({ length: 10 }, (_, i) => `v2.4.${i}`);

const dataDir = mkdtempSync(join(tmpdir(), 'registry-events-digest-'));
let stack: RunningStack;
let browser: Browser;

interface Inbox {
  bots: { bot: string; messages: { title: string; text: string }[] }[];
}

beforeAll(async () => {
  stack = await startStack({
    ...(await stackPorts()),
    ADMIN_API_KEY: ADMIN,
    LOCAL_DATA_DIR: dataDir,
    LOCAL_DYNAMODB_IN_MEMORY: 'true',
    DINGTALK_RATE_LIMIT: '2',
    DINGTALK_RATE_WINDOW_SECONDS: '3',
  });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (stack && stack.child.exitCode === null) {
    stack.child.kill('SIGINT');
    await stack.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a burst in a DingTalk group', () => {
  it('arrives whole, merged into digests in event order, shown by the look-alike', async () => {
    // The signed bot's URL and secret, as `npm start` prints them.
    const printed = /DingTalk\s+(http:\/\/127\.0\.0\.1:\d+)\/robot\/send\?access_token=local-bot[\s\S]*?(\S+signed-bot) checks the signature of secret (\S+)/.exec(stack.output());
    expect(printed, stack.output()).not.toBeNull();
    const [, origin, webhookUrl, secret] = printed ?? [];
    const rule = await fetch(`${stack.baseUrl}/v1/instances/${I}/rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ruleName: 'builds-to-team-chat',
        regionId: 'cn-hangzhou',
        eventTypes: ['cr:Artifact:BuildCompleted'],
        scope: { type: 'REPO', namespace: 'team-a', repoNames: ['payments'] },
        notify: { method: 'dingtalk', webhookUrl, secret },
      }),
    });
    expect(rule.status).toBe(201);
    const batch = TAGS.map((tag, i) => ({
      specversion: '1.0',
      id: `digest-${i}`,
      source: 'acs.cr',
      type: 'cr:Artifact:BuildCompleted',
      time: new Date(Date.UTC(2026, 11, 6, 8, 0, i)).toISOString(),
      data: { InstanceId: I, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'payments', Tag: tag, BuildStatus: i === 6 ? 'FAILED' : 'SUCCESS' },
    }));
    const sent = await fetch(`${stack.baseUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(batch),
    });
    expect(sent.status).toBe(202);

    // Every tag reaches the group, each exactly once, however the mailbox grouped them.
    const inbox = async () => ((await (await fetch(`${origin}/`)).json()) as Inbox).bots.flatMap((b) => b.messages);
    const until = Date.now() + 60_000;
    let messages = await inbox();
    while (TAGS.some((tag) => !messages.some((m) => m.text.includes(`:${tag}`))) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      messages = await inbox();
    }
    // (Single-digit patch versions: no tag is a prefix of another.)
    for (const tag of TAGS) expect(messages.filter((m) => m.text.includes(`:${tag}`)).length, tag).toBe(1);
    // A window of 2 cannot carry 10 events one by one: some messages are digests.
    const digests = messages.filter((m) => TAGS.filter((tag) => m.text.includes(`:${tag}`)).length > 1);
    expect(digests.length).toBeGreaterThan(0);
    expect(messages.length).toBeLessThan(TAGS.length);
    // Within every digest, lines in event order (messages themselves leave as windows free up).
    for (const m of messages) {
      const shown = TAGS.filter((tag) => m.text.includes(`:${tag}`));
      expect([...shown].sort((a, b) => m.text.indexOf(`:${a}`) - m.text.indexOf(`:${b}`))).toEqual(shown);
    }

    const page = await (await browser.newContext({ viewport: { width: 900, height: 800 }, locale: 'en-US' })).newPage();
    await page.goto(`${origin}/`);
    await page.getByRole('heading', { name: 'DingTalk look-alike: what each group received' }).waitFor();
    for (const tag of TAGS) await page.getByText(`team-a/payments:${tag}`, { exact: false }).first().waitFor();
    expect(await page.locator('article').count()).toBe(messages.length);
    await page.screenshot({ path: join(DOCS, 'chat-digest.png'), fullPage: true });
  }, 120_000);
});
