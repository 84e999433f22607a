/**
 * The chatbot's state item (sliding log of send slots, pause, flush lease, scheduled
 * flush) and its mailbox items. The log is a map slotId → time the slot stops counting;
 * every change is a compare-and-set on `ver`, so any number of concurrent delivery
 * invocations share one consistent view of the bot's budget (no fixed per-minute
 * counters, hence no double burst at a minute boundary).
 */
import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChatbotStore, MailItem, ShorterWindow } from '../../services/chatbotPorts';
import { applied, isConditionFailed } from './conditions';

const MAX_CAS_TRIES = 12;

interface BotState {
  slots: Record<string, number>;
  pausedUntil: number;
  ver: number;
  leaseId?: string;
  leaseUntil: number;
}

/** The main window (offset 0) and any shorter ones, each with its own limit. */
const windowsOf = (limit: number, shorter: ShorterWindow[] = []): ShorterWindow[] => [{ limit, offsetMs: 0 }, ...shorter];

const stateKey = (botId: string) => ({ pk: `BOT#${botId}`, sk: 'STATE' });
const mailKey = (botId: string, deliveryId: string) => ({ pk: `BOT#${botId}`, sk: `MAIL#${deliveryId}` });


export function dynamoChatbotStore(db: DynamoDBDocumentClient, tableName: string, retentionSeconds: number): ChatbotStore {
  async function read(botId: string): Promise<BotState> {
    const out = await db.send(new GetCommand({ TableName: tableName, Key: stateKey(botId), ConsistentRead: true }));
    const item = out.Item ?? {};
    return {
      slots: (item.slots as Record<string, number> | undefined) ?? {},
      pausedUntil: typeof item.pausedUntil === 'number' ? item.pausedUntil : 0,
      ver: typeof item.ver === 'number' ? item.ver : 0,
      ...(typeof item.leaseId === 'string' ? { leaseId: item.leaseId } : {}),
      leaseUntil: typeof item.leaseUntil === 'number' ? item.leaseUntil : 0,
    };
  }

  const ttl = () => Math.floor(Date.now() / 1000) + retentionSeconds;

  return {
    async acquire(botId, nowMs, opts) {
      for (let attempt = 0; attempt < MAX_CAS_TRIES; attempt += 1) {
        const state = await read(botId);
        const active = Object.entries(state.slots).filter(([, until]) => until > nowMs);
        if (state.pausedUntil > nowMs) return { ok: false, retryAt: state.pausedUntil, reason: 'paused' };
        if (opts.leaseMs !== undefined && state.leaseUntil > nowMs) return { ok: false, retryAt: state.leaseUntil, reason: 'busy' };
        const full = windowsOf(opts.limit, opts.shorter)
          .map((w) => ({ w, counting: active.map(([, until]) => until - w.offsetMs).filter((end) => end > nowMs) }))
          .filter(({ w, counting }) => counting.length >= w.limit);
        if (full.length > 0) {
          return { ok: false, retryAt: Math.max(...full.map(({ counting }) => Math.min(...counting))), reason: 'rate' };
        }
        const slotId = randomBytes(6).toString('hex');
        const leaseId = opts.leaseMs !== undefined ? randomBytes(6).toString('hex') : undefined;
        const slots = Object.fromEntries([...active, [slotId, nowMs + opts.holdMs]]);
        try {
          await db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: stateKey(botId),
              UpdateExpression: `SET slots = :slots, ver = :next, #ttl = :ttl${leaseId ? ', leaseId = :lease, leaseUntil = :leaseUntil' : ''}`,
              ConditionExpression: 'attribute_not_exists(ver) OR ver = :ver',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
              ExpressionAttributeValues: {
                ':slots': slots,
                ':next': state.ver + 1,
                ':ver': state.ver,
                ':ttl': ttl(),
                ...(leaseId ? { ':lease': leaseId, ':leaseUntil': nowMs + (opts.leaseMs ?? 0) } : {}),
              },
            }),
          );
          return { ok: true, slotId, ...(leaseId ? { leaseId } : {}) };
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
        }
      }
      return { ok: false, retryAt: nowMs + 250, reason: 'busy' };
    },

    async settle(botId, slotId, expiresAtMs) {
      await applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: stateKey(botId),
            UpdateExpression: expiresAtMs > 0 ? 'SET slots.#id = :until, ver = ver + :one' : 'REMOVE slots.#id SET ver = ver + :one',
            ConditionExpression: 'attribute_exists(slots.#id)',
            ExpressionAttributeNames: { '#id': slotId },
            ExpressionAttributeValues: { ':one': 1, ...(expiresAtMs > 0 ? { ':until': expiresAtMs } : {}) },
          }),
        ),
      );
    },

    async release(botId, leaseId) {
      await applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: stateKey(botId),
            UpdateExpression: 'REMOVE leaseId, leaseUntil SET ver = ver + :one',
            ConditionExpression: 'leaseId = :lease',
            ExpressionAttributeValues: { ':lease': leaseId, ':one': 1 },
          }),
        ),
      );
    },

    async pause(botId, untilMs) {
      await applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: stateKey(botId),
            UpdateExpression: 'SET pausedUntil = :until, ver = if_not_exists(ver, :zero) + :one',
            ConditionExpression: 'attribute_not_exists(pausedUntil) OR pausedUntil < :until',
            ExpressionAttributeValues: { ':until': untilMs, ':zero': 0, ':one': 1 },
          }),
        ),
      );
    },

    async nextFreeAt(botId, nowMs, limit, shorter) {
      const state = await read(botId);
      const rateFree = windowsOf(limit, shorter).map((w) => {
        const active = Object.values(state.slots).map((until) => until - w.offsetMs).filter((end) => end > nowMs).sort((a, b) => a - b);
        return active.length >= w.limit ? (active[active.length - w.limit] ?? nowMs) : nowMs;
      });
      return Math.max(nowMs, state.pausedUntil, ...rateFree, state.leaseUntil);
    },

    async claimFlush(botId, dueAtMs, nowMs) {
      return applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: stateKey(botId),
            UpdateExpression: 'SET flushDueAt = :due',
            ConditionExpression: 'attribute_not_exists(flushDueAt) OR flushDueAt < :now OR flushDueAt > :due',
            ExpressionAttributeValues: { ':due': dueAtMs, ':now': nowMs },
          }),
        ),
      );
    },

    async putMail(botId, mail) {
      // Not indexed itself: its delivery's state item is (open deliveries are in the
      // pending index at their due time), so a lost flush message is re-driven from there.
      await db.send(new PutCommand({ TableName: tableName, Item: { ...mailKey(botId, mail.deliveryId), type: 'mail', ...mail, ttl: ttl() } }));
    },

    async deferMail(botId, mail, untilMs) {
      await applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: mailKey(botId, mail.deliveryId),
            UpdateExpression: 'SET notBefore = :until',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':until': untilMs },
          }),
        ),
      );
    },

    async listMail(botId) {
      const items: MailItem[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
            ExpressionAttributeValues: { ':pk': `BOT#${botId}`, ':mail': 'MAIL#' },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) {
          const { pk: _pk, sk: _sk, type: _t, ttl: _ttl, gsi2pk: _g1, gsi2sk: _g2, ...mail } = item;
          items.push(mail as unknown as MailItem);
        }
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return items.sort((a, b) => a.enqueuedAt - b.enqueuedAt);
    },

    async deleteMail(botId, deliveryIds) {
      for (let i = 0; i < deliveryIds.length; i += 25) {
        let requests = deliveryIds.slice(i, i + 25).map((id) => ({ DeleteRequest: { Key: mailKey(botId, id) } }));
        for (let attempt = 0; requests.length > 0 && attempt < 5; attempt += 1) {
          const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
          requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
          if (requests.length > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        }
        if (requests.length > 0) throw new Error('mailbox items could not be deleted (DynamoDB kept them unprocessed)');
      }
    },
  };
}
