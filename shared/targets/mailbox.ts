/**
 * The generic mailbox engine for every chat provider. A delivery parks itself in its
 * bot's mailbox, then tries to flush it: with a send slot in every one of the provider's
 * windows (and the flush lease) everything waiting leaves as one message or as digests,
 * in event order; without one, a single delayed "flush" message is scheduled for when
 * the next slot frees. So a burst of any size reaches the group in a few digests, the bot
 * never exceeds any window, and nothing is dropped. What differs per provider (markup,
 * size limit, signing, reply codes, windows) comes from its Target.
 */
import { randomBytes } from 'node:crypto';
import type { SendResult } from '../services/httpSenderPort';
import { eventIdentity } from '../domain/cloudEvents';
import { nextStep } from '../domain/nextStep';
import type { MailItem } from '../services/chatbotPorts';
import type { DeliverDeps } from '../services/deliverDeps';
import { byRule, nowOf, recordOutcome } from '../services/deliverDeps';
import type { Attempt, DeliveryRecord, LoadedDelivery } from '../services/deliveryPorts';
import { loadKeyOf, OPEN_STATES } from '../services/deliveryPorts';
import { chatLimitsOf, chatWindowPlan } from '../services/deliverySettings';
import type { StoredEvent } from '../services/eventStore';
import { isChatNotify } from '../services/ruleStore';
import { groupByCredentials } from './credentialGroups';
import type { Credentials } from './credentialGroups';
import { chatTarget } from './registry';
import type { ChatMessage, ChatMethod, ChatTarget, ReplyVerdict } from './target';

interface Chunk {
  items: MailItem[];
  message: ChatMessage;
  digestId?: string;
}

/** Event order: by event time, then by when each was parked (a burst arrives in any order). */
const byEventOrder = (a: MailItem, b: MailItem) => (a.line.time < b.line.time ? -1 : a.line.time > b.line.time ? 1 : a.enqueuedAt - b.enqueuedAt);
const inEventOrder = (mail: MailItem[]): MailItem[] => [...mail].sort(byEventOrder);

/** Splits the mailbox into messages: one notification alone, else digests that each fit one message. */
export function planMessages(target: ChatTarget, unordered: MailItem[]): Chunk[] {
  const { renderDigests, renderNotification } = target;
  const mail = inEventOrder(unordered);
  const [first] = mail;
  if (mail.length === 1 && first) return [{ items: mail, message: renderNotification(first.line, first.template) }];
  const chunks: Chunk[] = [];
  let rest = mail;
  while (rest.length > 0) {
    // Largest prefix that renders as a single digest (binary search on its length).
    let lo = 1;
    let hi = rest.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (renderDigests(rest.slice(0, mid).map((m) => m.line)).length === 1) lo = mid;
      else hi = mid - 1;
    }
    const items = rest.slice(0, lo);
    const [message] = renderDigests(items.map((m) => m.line));
    if (!message) break;
    chunks.push(items.length === 1 && items[0] ? { items, message: renderNotification(items[0].line, items[0].template) } : { items, message, digestId: `dg_${randomBytes(8).toString('hex')}` });
    rest = rest.slice(lo);
  }
  return chunks;
}

export async function parkInMailbox(deps: DeliverDeps, delivery: DeliveryRecord, event: StoredEvent): Promise<void> {
  if (!isChatNotify(delivery.notify)) return;
  await deps.chatbots.putMail(delivery.notify.botId, {
    ...(delivery.notify.method !== 'dingtalk' ? { method: delivery.notify.method } : {}),
    deliveryId: delivery.deliveryId,
    eventId: delivery.eventId,
    ruleId: delivery.ruleId,
    instanceId: delivery.instanceId,
    enqueuedAt: nowOf(deps),
    line: { ...eventIdentity(event), ruleName: delivery.ruleName },
    ...(delivery.template !== undefined ? { template: delivery.template } : {}),
    sealedWebhookUrl: delivery.notify.sealedWebhookUrl,
    ...(delivery.notify.sealedSecret ? { sealedSecret: delivery.notify.sealedSecret } : {}),
    // Re-parked while retrying (a redelivered message, the reconciler): keep its backoff.
    ...(delivery.state === 'retrying' && delivery.nextAttemptAt ? { notBefore: Date.parse(delivery.nextAttemptAt) } : {}),
  });
}

async function scheduleFlush(deps: DeliverDeps, method: ChatMethod, botId: string, atMs: number): Promise<void> {
  const now = nowOf(deps);
  const due = Math.max(atMs, now);
  if (await deps.chatbots.claimFlush(botId, due, now)) {
    await deps.queue.sendDelayed({ kind: 'flush', botId, ...(method !== 'dingtalk' ? { method } : {}) }, Math.ceil((due - now) / 1000));
  }
}

export function outcomeOf(target: ChatTarget, result: SendResult): ReplyVerdict & { error?: string; httpStatus?: number } {
  if (result.kind === 'error') {
    const permanent = result.error === 'blocked' || result.error === 'invalid-url';
    return { outcome: permanent ? 'failed' : 'retry', error: result.message };
  }
  return { ...target.classify({ status: result.status, body: result.body, headers: result.headers }), httpStatus: result.status };
}

const windowPlan = (deps: DeliverDeps, method: ChatMethod) => chatWindowPlan(deps.settings, method);

/**
 * Records one send's outcome on every delivery it carried; returns when to try again, if
 * at all. `loaded` is what the flush read before sending (only the lease holder settles
 * DingTalk deliveries, so it is still current; transitions are conditional anyway).
 */
async function settleChunk(
  deps: DeliverDeps,
  target: ChatTarget,
  botId: string,
  chunk: Chunk,
  result: SendResult,
  at: number,
  loaded: Map<string, LoadedDelivery>,
): Promise<number | undefined> {
  const outcome = outcomeOf(target, result);
  const base = {
    at: new Date(at).toISOString(),
    durationMs: result.durationMs,
    outcome: outcome.outcome,
    ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
    ...(outcome.providerCode !== undefined ? { providerCode: outcome.providerCode } : {}),
    ...(outcome.providerMessage !== undefined ? { providerMessage: outcome.providerMessage } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(chunk.digestId ? { digestId: chunk.digestId } : {}),
  } satisfies Omit<Attempt, 'n'>;
  const records = chunk.items.map((m) => loaded.get(loadKeyOf(m.eventId, m.ruleId))?.delivery);
  const open = records.filter((r): r is DeliveryRecord => r !== undefined && OPEN_STATES.includes(r.state));
  // Mail whose delivery is gone or already closed must not be sent again.
  const stale = chunk.items.filter((m) => !open.some((r) => r.deliveryId === m.deliveryId)).map((m) => m.deliveryId);
  if (stale.length > 0) await deps.chatbots.deleteMail(botId, stale);
  const attemptOf = (r: DeliveryRecord): Attempt => ({ n: r.attemptCount + (outcome.outcome === 'throttled' ? 0 : 1), ...base });
  const ids = chunk.items.map((m) => m.deliveryId);

  if (outcome.outcome === 'delivered' || outcome.outcome === 'failed') {
    await Promise.all(
      open.map((r) =>
        deps.deliveries.transition(r, {
          state: outcome.outcome === 'delivered' ? 'delivered' : 'failed',
          attempt: attemptOf(r),
          ...(outcome.outcome === 'delivered' ? { deliveredAt: base.at } : {}),
        }),
      ),
    );
    await deps.chatbots.deleteMail(botId, ids);
    const verdict = outcome.outcome === 'delivered' ? 'delivered' : 'failed';
    // Hook: rule health — one attempt (the send) per rule it carried, counting each delivery it closed.
    await Promise.all([...byRule(open).values()].flatMap(([first, ...rest]) => (first ? [recordOutcome(deps, first, { attempt: verdict, closed: verdict, closedCount: rest.length + 1 })] : [])));
    deps.metrics?.({
      ...(outcome.outcome === 'delivered' ? { DeliveriesDelivered: open.length } : { DeliveriesFailed: open.length }),
      ...(chunk.digestId && outcome.outcome === 'delivered' ? { DigestsSent: 1 } : {}),
    });
    return undefined;
  }
  if (outcome.outcome === 'throttled') {
    const until = at + (outcome.pauseMs ?? chatLimitsOf(deps.settings, target.method).throttleMs);
    await deps.chatbots.pause(botId, until);
    await Promise.all(
      open.map((r) => deps.deliveries.transition(r, { state: 'throttled', attempt: attemptOf(r), nextAttemptAt: new Date(until).toISOString() })),
    );
    deps.log?.(`chatbot throttled by ${target.label}; paused`, { botId, until: new Date(until).toISOString() });
    deps.metrics?.({ ThrottlePauses: 1 });
    return until;
  }
  // retry: each delivery moves on its own attempt count; the mailbox keeps the open ones.
  let next = Number.POSITIVE_INFINITY;
  const closed: string[] = [];
  for (const r of open) {
    const attempt = attemptOf(r);
    const step = nextStep(deps.settings.retry, { attemptN: attempt.n, attemptBase: r.attemptBase, expiresAt: r.expiresAt }, { outcome: 'retry' }, at, deps.random ?? Math.random);
    if (step.state === 'dead') {
      await deps.deliveries.transition(r, { state: 'dead', attempt, deadReason: step.reason });
      closed.push(r.deliveryId);
    } else if (step.state === 'retrying') {
      await deps.deliveries.transition(r, { state: 'retrying', attempt, nextAttemptAt: new Date(step.at).toISOString() });
      const mail = chunk.items.find((m) => m.deliveryId === r.deliveryId);
      if (mail) await deps.chatbots.deferMail(botId, mail, step.at);
      next = Math.min(next, step.at);
    }
  }
  if (closed.length > 0) await deps.chatbots.deleteMail(botId, closed);
  // Hook: rule health — one failed attempt per rule the send carried, and the deliveries it closed dead.
  const dead = new Set(closed);
  await Promise.all(
    [...byRule(open).values()].flatMap((rs) => {
      const [first] = rs;
      const ended = rs.filter((r) => dead.has(r.deliveryId)).length;
      return first ? [recordOutcome(deps, first, ended > 0 ? { attempt: 'failed', closed: 'dead', closedCount: ended } : { attempt: 'failed' })] : [];
    }),
  );
  deps.metrics?.({ DeliveriesDead: closed.length, DeliveriesRetried: open.length - closed.length });
  return Number.isFinite(next) ? next : undefined;
}

/** `parked`: the delivery that just joined the mailbox, whose trace shows the wait. */
export async function flushChatbot(deps: DeliverDeps, botId: string, parked?: DeliveryRecord, method: ChatMethod = parked?.notify.method !== undefined && isChatNotify(parked.notify) ? parked.notify.method : 'dingtalk'): Promise<void> {
  const target = chatTarget(method);
  const { limits, main, shorter } = windowPlan(deps, method);
  const holdMs = deps.settings.timeoutMs + main.windowMs + limits.marginMs;
  const leaseMs = deps.settings.timeoutMs * 3 + 5_000;
  const grant = await deps.chatbots.acquire(botId, nowOf(deps), { limit: main.limit, holdMs, leaseMs, ...(shorter.length > 0 ? { shorter } : {}) });
  if (!grant.ok) {
    // Another worker is flushing: it may have read the mailbox before we parked, so look again soon.
    const at = grant.reason === 'busy' ? Math.min(grant.retryAt, nowOf(deps) + 1_000) : grant.retryAt;
    await scheduleFlush(deps, method, botId, at);
    if (parked && grant.reason !== 'busy') {
      // A deferral, not an attempt: the trace shows when the next send may happen.
      await deps.deliveries.transition(parked, {
        state: grant.reason === 'paused' ? 'throttled' : parked.state,
        nextAttemptAt: new Date(Math.max(at, parked.nextAttemptAt ? Date.parse(parked.nextAttemptAt) : 0)).toISOString(),
      });
    }
    return;
  }
  let retryAt: number | undefined;
  const leaseEnds = nowOf(deps) + leaseMs;
  try {
    const now = nowOf(deps);
    // Mail still in its retry backoff waits for a later flush.
    const due = (await deps.chatbots.listMail(botId)).filter((m) => (m.notBefore ?? 0) <= now);
    // One read for everything about to leave: mail whose delivery is already closed or
    // gone (a re-driven copy, a delivery ended elsewhere) is dropped, never sent again.
    const loaded = due.length > 0 ? await deps.deliveries.loadMany(due.map(({ eventId, ruleId, instanceId }) => ({ eventId, ruleId, instanceId }))) : new Map<string, LoadedDelivery>();
    const isOpen = (m: MailItem) => {
      const record = loaded.get(loadKeyOf(m.eventId, m.ruleId))?.delivery;
      return record !== undefined && OPEN_STATES.includes(record.state);
    };
    const closed = due.filter((m) => !isOpen(m)).map((m) => m.deliveryId);
    if (closed.length > 0) await deps.chatbots.deleteMail(botId, closed);
    const mail = due.filter(isOpen);
    if (mail.length === 0) {
      await deps.chatbots.settle(botId, grant.slotId, 0);
    } else {
      // Each message goes to its rules' own webhook and is signed with their own secret:
      // mail of rules with the same credentials merges, other groups take slots of their own.
      const sends = (await groupByCredentials(deps.sealer, inEventOrder(mail)))
        .flatMap(({ credentials, items }) => planMessages(target, items).map((chunk): { chunk: Chunk; credentials: Credentials } => ({ chunk, credentials })))
        // The message holding the oldest waiting mail leaves first; what finds no slot stays parked.
        .sort((a, b) => byEventOrder(a.chunk.items[0] as MailItem, b.chunk.items[0] as MailItem));
      let slotId = grant.slotId;
      for (const [i, { chunk, credentials }] of sends.entries()) {
        if (i > 0) {
          // Never start a send that could outlive the lease: another flusher may take over then.
          if (nowOf(deps) + deps.settings.timeoutMs + 1_000 > leaseEnds) break;
          const extra = await deps.chatbots.acquire(botId, nowOf(deps), { limit: main.limit, holdMs, ...(shorter.length > 0 ? { shorter } : {}) });
          if (!extra.ok) break;
          slotId = extra.slotId;
        }
        const start = nowOf(deps);
        // The digest id, or the delivery id of a lone notification: stable across retries of this send.
        const msgUuid = chunk.digestId ?? chunk.items[0]?.deliveryId ?? '';
        const request = target.request(credentials.url, chunk.message, { secret: credentials.secret, nowMs: start, msgUuid });
        const result = await deps.sender.post({
          url: request.url,
          body: request.body,
          headers: { 'content-type': 'application/json', 'user-agent': deps.settings.userAgent },
          timeoutMs: deps.settings.timeoutMs,
        });
        await deps.chatbots.settle(botId, slotId, nowOf(deps) + main.windowMs + limits.marginMs);
        retryAt = await settleChunk(deps, target, botId, chunk, result, start, loaded);
        if (retryAt !== undefined) break;
      }
    }
  } finally {
    if (grant.leaseId) await deps.chatbots.release(botId, grant.leaseId);
  }
  const remaining = await deps.chatbots.listMail(botId);
  if (remaining.length > 0) {
    const now = nowOf(deps);
    const free = await deps.chatbots.nextFreeAt(botId, now, main.limit, shorter);
    const earliest = Math.min(...remaining.map((m) => Math.max(m.notBefore ?? 0, now)));
    await scheduleFlush(deps, method, botId, Math.max(free, earliest, retryAt ?? 0));
  }
}
