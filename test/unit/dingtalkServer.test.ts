/** The DingTalk look-alike used by integration tests behaves like the real robot where it matters. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dingTalkBody, signDingTalkUrl } from '../../shared/domain/dingtalk';
import { startDingTalkServer } from '../support/dingtalkServer';
import type { DingTalkServer } from '../support/dingtalkServer';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));
const message = (n = 1) => dingTalkBody({ title: `t${n}`, text: `### message ${n}` });

async function post(url: string, body = message(), signal?: AbortSignal): Promise<{ status: number; errcode?: number; errmsg?: string; raw: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...(signal ? { signal } : {}) });
  const raw = await res.text();
  try {
    const parsed = JSON.parse(raw) as { errcode?: number; errmsg?: string };
    return { status: res.status, ...parsed, raw };
  } catch {
    return { status: res.status, raw };
  }
}

describe('DingTalk look-alike server', () => {
  let server: DingTalkServer;
  beforeEach(async () => {
    server = await startDingTalkServer({ limit: 3, windowMs: 500, throttleMs: 300 });
  });
  afterEach(async () => {
    await server.close();
  });

  it('accepts a markdown message and records it', async () => {
    expect(server.prefix).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/robot\/send$/);
    const before = Date.now();
    expect(await post(server.webhookUrl('tok'))).toMatchObject({ status: 200, errcode: 0, errmsg: 'ok' });
    const [received] = server.messages('tok');
    expect(received).toMatchObject({ token: 'tok', title: 't1', text: '### message 1', signed: false });
    expect(received?.at).toBeGreaterThanOrEqual(before);
    expect(server.requests('tok')).toBe(1);
  });

  it('rejects a missing token and malformed bodies without accepting them', async () => {
    expect(await post(server.prefix)).toMatchObject({ errcode: 300001, errmsg: 'token is not exist' });
    expect(await post(`${server.prefix}?access_token=`)).toMatchObject({ errcode: 300001 });
    expect(await post(server.webhookUrl('tok'), 'not json')).toMatchObject({ errcode: 40035 });
    expect(await post(server.webhookUrl('tok'), JSON.stringify({ msgtype: 'text', text: { content: 'x' } }))).toMatchObject({ errcode: 40035 });
    expect(await post(server.webhookUrl('tok'), dingTalkBody({ title: 't', text: 'x'.repeat(20_001) }))).toMatchObject({ errcode: 460101 });
    expect(server.messages()).toEqual([]);
    expect(server.requests()).toBe(5);
  });

  it('checks signatures for a bot with a secret', async () => {
    server.setSecret('sec', 'SECabc');
    const url = server.webhookUrl('sec');
    expect(await post(signDingTalkUrl(url, 'SECabc', Date.now()))).toMatchObject({ errcode: 0 });
    expect(await post(url)).toMatchObject({ errcode: 310000, errmsg: 'sign not match' });
    expect(await post(signDingTalkUrl(url, 'SECwrong', Date.now()))).toMatchObject({ errcode: 310000 });
    expect(await post(signDingTalkUrl(url, 'SECabc', Date.now() - 2 * 3_600_000))).toMatchObject({ errcode: 310000 });
    expect(server.messages('sec')).toHaveLength(1);
    expect(server.messages('sec')[0]?.signed).toBe(true);
  });

  it('enforces the sliding window and throttles a bot that exceeds it', async () => {
    const url = server.webhookUrl('w');
    for (let i = 1; i <= 3; i++) expect(await post(url, message(i))).toMatchObject({ errcode: 0 });
    const firstAt = server.messages('w')[0]?.at ?? 0;
    // Another bot has its own window.
    expect(await post(server.webhookUrl('other'))).toMatchObject({ errcode: 0 });

    await sleepUntil(firstAt + 400); // window (500 ms) still holds all three
    const violationAt = Date.now();
    expect(await post(url, message(4))).toMatchObject({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    expect(server.violations('w')).toBe(1);

    await sleepUntil(firstAt + 600); // window is empty now, but the bot is throttled until ~violation + 300 ms
    expect(await post(url, message(5))).toMatchObject({ errcode: 130101 });
    expect(server.violations('w')).toBe(1);
    expect(server.throttledReplies('w')).toBe(2);

    await sleepUntil(violationAt + 380);
    expect(await post(url, message(6))).toMatchObject({ errcode: 0 });
    expect(server.messages('w').map((m) => m.title)).toEqual(['t1', 't2', 't3', 't6']);
    expect(server.requests('w')).toBe(6);
    expect(server.maxInWindow('w', 500)).toBe(3);
    expect(server.maxInWindow('w', 10_000)).toBe(4);
    expect(server.violations()).toBe(1);
  });

  it('plays scripted replies before normal handling', async () => {
    const url = server.webhookUrl('f');
    server.failNext('f', { httpStatus: 500 });
    server.failNext('f', { errcode: 130101, errmsg: 'send too fast' }, 2);
    server.failNext('f', { httpStatus: 200 });
    server.failNext('f', { destroy: true });

    expect(await post(url)).toMatchObject({ status: 500, raw: 'Internal Server Error' });
    expect(await post(url)).toMatchObject({ status: 200, errcode: 130101, errmsg: 'send too fast' });
    expect(await post(url)).toMatchObject({ status: 200, errcode: 130101 });
    const unparsable = await post(url);
    expect(unparsable.status).toBe(200);
    expect(unparsable.errcode).toBeUndefined();
    await expect(post(url)).rejects.toThrow();
    // Scripted replies neither count as accepted nor as window violations.
    expect(server.messages('f')).toEqual([]);
    expect(server.violations('f')).toBe(0);
    expect(await post(url)).toMatchObject({ errcode: 0 });
    expect(server.requests('f')).toBe(6);
  });

  it('delays a reply so the client can time out, then handles the message normally', async () => {
    const url = server.webhookUrl('d');
    server.failNext('d', { delayMs: 300 });
    await expect(post(url, message(1), AbortSignal.timeout(50))).rejects.toThrow();
    await sleep(400);
    // The slow robot still took the message: the sender cannot know, hence at-least-once.
    expect(server.messages('d').map((m) => m.title)).toEqual(['t1']);

    server.failNext('d', { delayMs: 100, errcode: 310000, errmsg: 'sign not match' });
    const started = Date.now();
    expect(await post(url)).toMatchObject({ errcode: 310000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('closes while a delayed request is pending', async () => {
    server.failNext('z', { delayMs: 5_000 });
    const pending = post(server.webhookUrl('z')).catch((error: unknown) => error);
    await sleep(50);
    await server.close();
    expect(await pending).toBeInstanceOf(Error);
    server = await startDingTalkServer({ limit: 1, windowMs: 1, throttleMs: 1 }); // afterEach closes this one
  });
});
