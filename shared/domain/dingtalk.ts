/**
 * DingTalk chatbot messages (SPEC §6): URL signing, single notifications, digests that
 * stay under the 18 KB body budget, and classification of the robot's replies.
 * Pure: no I/O, so the limiter and the worker can share it and tests can drive it directly.
 */
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { escapeMarkdown, renderTemplate } from './template';
import type { TemplateValues } from './template';
import type { EventIdentity } from './cloudEvents';

/** An event's identity as text (digests also carry lines from other sources), plus the rule. */
export type NotificationLine = { [K in keyof EventIdentity]: string } & { ruleName: string };
export interface MarkdownMessage {
  title: string;
  text: string;
}
export type DingTalkOutcome = {
  outcome: 'delivered' | 'throttled' | 'failed' | 'retry';
  providerCode?: number;
  providerMessage?: string;
};

/** DingTalk rejects bodies above ~20 000 bytes; 18 000 leaves room for proxies and headers. */
export const DINGTALK_MAX_BODY_BYTES = 18_000;
const ELLIPSIS = '…';
const TITLE_MAX_CHARS = 64;
const PROVIDER_MESSAGE_MAX = 200;
/** Bytes of a body whose title and text are empty; every string then adds its own JSON size. */
const EMPTY_BODY_BYTES = Buffer.byteLength(JSON.stringify({ msgtype: 'markdown', markdown: { title: '', text: '' } }));

export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

export function signDingTalkUrl(webhookUrl: string, secret: string | undefined, nowMs: number): string {
  if (!secret) return webhookUrl;
  const ms = Math.trunc(nowMs);
  // String surgery instead of URL.searchParams: re-serialising would re-encode the access_token.
  const hashAt = webhookUrl.indexOf('#');
  const beforeHash = hashAt === -1 ? webhookUrl : webhookUrl.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : webhookUrl.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  const path = queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt === -1 ? '' : beforeHash.slice(queryAt + 1);
  // A pasted URL may already carry a stale signature; DingTalk would read the first one.
  const kept = query.split('&').filter((p) => p !== '' && !/^(timestamp|sign)(=|$)/.test(p));
  kept.push(`timestamp=${ms}`, `sign=${encodeURIComponent(dingTalkSign(secret, ms))}`);
  return `${path}?${kept.join('&')}${fragment}`;
}

export function dingTalkBody(message: MarkdownMessage): string {
  return JSON.stringify({ msgtype: 'markdown', markdown: { title: message.title, text: message.text } });
}

/** `cr:Artifact:ScanCompleted` → `ScanCompleted`: the prefix is noise in a chat title. */
function shortType(eventType: string): string {
  return eventType.slice(eventType.lastIndexOf(':') + 1) || eventType;
}

/** Titles show up in phone notifications as plain text, so only flatten and shorten them. */
function plainTitle(title: string): string {
  const flat = title.replace(/[\r\n\t]+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= TITLE_MAX_CHARS ? flat : `${chars.slice(0, TITLE_MAX_CHARS - 1).join('')}${ELLIPSIS}`;
}

/** Size a string adds to the JSON body (quotes excluded): escapes and UTF-8 both count. */
function jsonBytes(s: string): number {
  return Buffer.byteLength(JSON.stringify(s)) - 2;
}

function bodyBytes(message: MarkdownMessage): number {
  return EMPTY_BODY_BYTES + jsonBytes(message.title) + jsonBytes(message.text);
}

/** Longest prefix (whole code points) within `budget` JSON bytes, never ending in half an escape. */
function cutToBytes(s: string, budget: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    const size = jsonBytes(ch);
    if (used + size > budget) break;
    out += ch;
    used += size;
  }
  const trailing = /\\+$/.exec(out)?.[0].length ?? 0;
  return trailing % 2 === 1 ? out.slice(0, -1) : out;
}

/** Copied field by field so extra own properties of the caller's object can never be substituted. */
export function templateValues(line: NotificationLine): TemplateValues {
  return {
    eventId: line.eventId,
    eventType: line.eventType,
    status: line.status,
    instanceId: line.instanceId,
    regionId: line.regionId,
    namespace: line.namespace,
    repoName: line.repoName,
    tag: line.tag,
    time: line.time,
    ruleName: line.ruleName,
  };
}

function imageRef(line: NotificationLine): string {
  return `${escapeMarkdown(line.namespace)}/${escapeMarkdown(line.repoName)}:${escapeMarkdown(line.tag)}`;
}

function defaultText(line: NotificationLine): string {
  const e = escapeMarkdown;
  return [
    `### ${e(shortType(line.eventType))} ${e(line.status)}`,
    '',
    `**${imageRef(line)}**`,
    '',
    `- Event: ${e(line.eventType)}`,
    `- Status: ${e(line.status)}`,
    `- Instance: ${e(line.instanceId)} (${e(line.regionId)})`,
    `- Time: ${e(line.time)}`,
    ...(line.ruleName ? [`- Rule: ${e(line.ruleName)}`] : []),
    `- Event ID: ${e(line.eventId)}`,
  ].join('\n');
}

/** The first line of a rule test's sample, so nobody mistakes it for a real alert. */
export const TEST_MARKER_LINE = '> **[Test] A rule test, not a real registry event.**';

/** `opts.test`: a rule test's sample, marked "[Test]" in its title and first line. */
export function renderNotification(line: NotificationLine, template?: string, opts: { test?: boolean } = {}): MarkdownMessage {
  const title = plainTitle(`${opts.test ? '[Test] ' : ''}${shortType(line.eventType)} ${line.status}`);
  const rendered = template === undefined ? '' : renderTemplate(template, templateValues(line));
  // DingTalk refuses an empty text; a template of only whitespace falls back to the default.
  const body = rendered.trim() === '' ? defaultText(line) : rendered;
  const text = opts.test ? `${TEST_MARKER_LINE}

${body}` : body;
  const message = { title, text };
  if (bodyBytes(message) < DINGTALK_MAX_BODY_BYTES) return message;
  // A 4 KiB template repeating {{tag}} can blow the budget; keep the event id visible.
  const tail = `${ELLIPSIS}\n\n- Event ID: ${escapeMarkdown(line.eventId)}`;
  const room = DINGTALK_MAX_BODY_BYTES - 1 - bodyBytes({ title, text: '' }) - jsonBytes(tail);
  return { title, text: `${cutToBytes(text, Math.max(0, room))}${tail}` };
}

function digestTitle(total: number, part: number, parts: number): string {
  const events = `${total} registry event${total === 1 ? '' : 's'}`;
  return parts > 1 ? `${events} (part ${part}/${parts})` : events;
}

/** One line per event; the id goes last so truncation can cut the middle and keep it. */
function digestLineParts(line: NotificationLine): { head: string; tail: string } {
  const e = escapeMarkdown;
  const rule = line.ruleName ? ` · rule ${e(line.ruleName)}` : '';
  return {
    head: `- **${e(shortType(line.eventType))}** ${e(line.status)} · ${imageRef(line)} · ${e(line.time)}${rule}`,
    tail: ` · ID: ${e(line.eventId)}`,
  };
}

function fitLine(line: NotificationLine, budget: number): string {
  const { head, tail } = digestLineParts(line);
  if (jsonBytes(head) + jsonBytes(tail) <= budget) return `${head}${tail}`;
  const room = budget - jsonBytes(tail) - jsonBytes(ELLIPSIS);
  if (room >= jsonBytes('- ')) return `${cutToBytes(head, room)}${ELLIPSIS}${tail}`;
  // Only an absurd event id gets here (ingest caps ids at 128 chars); cut it rather than drop the line.
  return `${cutToBytes(`- ID: ${escapeMarkdown(line.eventId)}`, budget - jsonBytes(ELLIPSIS))}${ELLIPSIS}`;
}

/** Same event for the same rule twice (e.g. a retried status change): only the last state counts. */
function newestPerEventAndRule(lines: NotificationLine[]): NotificationLine[] {
  const key = (l: NotificationLine) => JSON.stringify([l.eventId, l.ruleName]);
  const lastIndex = new Map<string, number>();
  lines.forEach((l, i) => lastIndex.set(key(l), i));
  return lines.filter((l, i) => lastIndex.get(key(l)) === i);
}

/**
 * Greedy packing with exact JSON byte accounting, reserving `title` (and its "### " header)
 * in every part: text = header + "\n\n" + l1 + "\n" + l2 …  ⇒  header + 2 + Σ(line + 2).
 */
function pack(events: NotificationLine[], maxBytes: number, title: string): string[][] {
  const base = EMPTY_BODY_BYTES + jsonBytes(title) + jsonBytes(`### ${title}`) + 2;
  const limit = maxBytes - 1; // bodies must stay strictly below maxBytes
  const lineBudget = limit - base - 2;
  if (lineBudget < 64) throw new RangeError(`maxBytes ${maxBytes} is too small for a DingTalk digest`);
  const parts: string[][] = [];
  let current: string[] = [];
  let used = base;
  for (const event of events) {
    const text = fitLine(event, lineBudget);
    const cost = jsonBytes(text) + 2;
    if (current.length > 0 && used + cost > limit) {
      parts.push(current);
      current = [];
      used = base;
    }
    current.push(text);
    used += cost;
  }
  parts.push(current);
  return parts;
}

export function renderDigests(lines: NotificationLine[], maxBytes: number = DINGTALK_MAX_BODY_BYTES): MarkdownMessage[] {
  const events = newestPerEventAndRule(lines);
  const total = events.length;
  if (total === 0) return [];
  // First try one unlabelled message; only when that overflows reserve the widest
  // "(part n/n)" label, so sizes stay exact (never over) once the real labels are filled in.
  const single = pack(events, maxBytes, digestTitle(total, 1, 1));
  const parts = single.length === 1 ? single : pack(events, maxBytes, digestTitle(total, total, total));
  return parts.map((partLines, i) => {
    const partTitle = digestTitle(total, i + 1, parts.length);
    return { title: partTitle, text: `### ${partTitle}\n\n${partLines.join('\n')}` };
  });
}

interface ParsedReply {
  errcode?: number;
  errmsg?: string;
}

function parseReply(bodyText: string): ParsedReply | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { errcode, errmsg } = parsed as Record<string, unknown>;
  const code = typeof errcode === 'string' && /^-?\d+$/.test(errcode) ? Number(errcode) : errcode;
  return {
    ...(typeof code === 'number' && Number.isInteger(code) ? { errcode: code } : {}),
    ...(typeof errmsg === 'string' ? { errmsg } : {}),
  };
}

/** DingTalk's "system busy" (-1) is transient, unlike the configuration errors. */
const TRANSIENT_ERRCODES = new Set([-1]);

export function classifyDingTalkReply(httpStatus: number, bodyText: string): DingTalkOutcome {
  const reply = parseReply(bodyText);
  const provider = {
    ...(reply?.errcode !== undefined ? { providerCode: reply.errcode } : {}),
    ...(reply?.errmsg !== undefined ? { providerMessage: [...reply.errmsg].slice(0, PROVIDER_MESSAGE_MAX).join('') } : {}),
  };
  if (httpStatus === 200) {
    // A 200 we cannot read (proxy page, truncated body) says nothing about delivery: try again.
    if (reply?.errcode === undefined) return { outcome: 'retry', ...provider };
    if (reply.errcode === 0) return { outcome: 'delivered', ...provider };
    if (reply.errcode === 130101) return { outcome: 'throttled', ...provider };
    if (TRANSIENT_ERRCODES.has(reply.errcode)) return { outcome: 'retry', ...provider };
    return { outcome: 'failed', ...provider };
  }
  if (httpStatus >= 500 || httpStatus === 429 || httpStatus === 408) return { outcome: 'retry', ...provider };
  return { outcome: 'failed', ...provider };
}
