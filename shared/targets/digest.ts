/**
 * Shared pieces of chat rendering: short event types, digest titles, one line per event
 * (its id last, so a cut keeps it), and a greedy packer that keeps every event, in the
 * order given, in messages the provider says fit.
 */
import { templateValues } from '../domain/dingtalk';
import type { NotificationLine } from '../domain/dingtalk';
import type { ChatMessage } from './target';
import { renderTemplate } from '../domain/template';

export const ELLIPSIS = '…';

export function shortType(eventType: string): string {
  return eventType.slice(eventType.lastIndexOf(':') + 1) || eventType;
}

export function digestTitle(total: number, part: number, parts: number): string {
  const events = `${total} registry event${total === 1 ? '' : 's'}`;
  return parts > 1 ? `${events} (part ${part}/${parts})` : events;
}

/** Same event for the same rule twice (e.g. a retried status change): only the last state counts. */
export function newestPerEventAndRule(lines: NotificationLine[]): NotificationLine[] {
  const key = (l: NotificationLine) => JSON.stringify([l.eventId, l.ruleName]);
  const lastIndex = new Map<string, number>();
  lines.forEach((l, i) => lastIndex.set(key(l), i));
  return lines.filter((l, i) => lastIndex.get(key(l)) === i);
}

/** The fields a default message shows, each already escaped by the provider's `escape`. */
export function notificationLines(line: NotificationLine, escape: (s: string) => string): string[] {
  const e = escape;
  return [
    `Event: ${e(line.eventType)}`,
    `Status: ${e(line.status)}`,
    `Image: ${e(line.namespace)}/${e(line.repoName)}:${e(line.tag)}`,
    `Instance: ${e(line.instanceId)} (${e(line.regionId)})`,
    `Time: ${e(line.time)}`,
    ...(line.ruleName ? [`Rule: ${e(line.ruleName)}`] : []),
    `Event ID: ${e(line.eventId)}`,
  ];
}

/** One digest line; cut in the middle (never the id) to `maxChars`. */
export function digestLine(line: NotificationLine, escape: (s: string) => string, maxChars = 600): string {
  const e = escape;
  const rule = line.ruleName ? ` · rule ${e(line.ruleName)}` : '';
  const head = `${e(shortType(line.eventType))} ${e(line.status)} · ${e(line.namespace)}/${e(line.repoName)}:${e(line.tag)} · ${e(line.time)}${rule}`;
  const tail = ` · ID: ${e(line.eventId)}`;
  const chars = [...head];
  return chars.length + [...tail].length <= maxChars ? `${head}${tail}` : `${chars.slice(0, Math.max(0, maxChars - [...tail].length - 1)).join('')}${ELLIPSIS}${tail}`;
}

/**
 * Greedy packing: as many lines per message as `fits` allows. Parts are packed with the
 * widest "(part n/n)" title so the real titles can only be shorter.
 */
export function packDigests(
  lines: NotificationLine[],
  render: (line: NotificationLine) => string,
  build: (title: string, lines: string[]) => ChatMessage,
  fits: (message: ChatMessage) => boolean,
): ChatMessage[] {
  const events = newestPerEventAndRule(lines);
  const total = events.length;
  if (total === 0) return [];
  const texts = events.map(render);
  const pack = (title: string): string[][] => {
    const parts: string[][] = [];
    let rest = texts;
    while (rest.length > 0) {
      // Largest prefix that fits (binary search: a few builds per part, not one per line).
      let lo = 1;
      let hi = rest.length;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(build(title, rest.slice(0, mid)))) lo = mid;
        else hi = mid - 1;
      }
      parts.push(rest.slice(0, lo));
      rest = rest.slice(lo);
    }
    return parts;
  };
  const single = pack(digestTitle(total, 1, 1));
  const parts = single.length === 1 ? single : pack(digestTitle(total, total, total));
  return parts.map((part, i) => build(digestTitle(total, i + 1, parts.length), part));
}


/** A template rendered with the provider's escaping; undefined when it renders blank. */
export function renderedTemplate(line: NotificationLine, template: string | undefined, escape: (s: string) => string): string | undefined {
  if (template === undefined) return undefined;
  const text = renderTemplate(template, templateValues(line), escape);
  return text.trim() === '' ? undefined : text;
}

export function notificationTitle(line: NotificationLine): string {
  const flat = `${shortType(line.eventType)} ${line.status}`.replace(/[\r\n\t]+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= 64 ? flat : `${chars.slice(0, 63).join('')}${ELLIPSIS}`;
}

/** Cuts text to what `fits` allows (binary search on code points), keeping the event id visible. */
export function fitNotification(message: ChatMessage, eventIdLine: string, fits: (m: ChatMessage) => boolean): ChatMessage {
  if (fits(message)) return message;
  const chars = [...message.text];
  let lo = 0;
  let hi = chars.length;
  const cut = (n: number) => ({ title: message.title, text: `${chars.slice(0, n).join('')}${ELLIPSIS}\n${eventIdLine}` });
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(cut(mid))) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}
