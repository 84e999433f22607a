/**
 * The chatbot's state item (sliding log of send slots, pause, flush lease, scheduled
 * flush) and its mailbox items. The log is a map slotId → time the slot stops counting;
 * every change is a compare-and-set on `ver`, so any number of concurrent delivery
 * invocations share one consistent view of the bot's budget (no fixed per-minute
 * counters, hence no double burst at a minute boundary).
 */
import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChatbotStore, ShorterWindow, SlotGrant } from '../../services/chatbotPorts';
import { exponentialBackoff, jitteredBackoff, retrying, TRY_AGAIN } from '../retry';
import { applied, isConditionFailed } from './conditions';
import { queryAll } from './queryAll';
import { botStateFromItem, keys, mailFromItem, mailToItem } from './shape';

const MAX_CAS_TRIES = 12;
const CAS_BACKOFF = jitteredBackoff(5, 200);
const MAX_DELETE_TRIES = 5;
const DELETE_BACKOFF = exponentialBackoff(20);

interface BotState {
  slots: Record<string, number>;
  pausedUntil: number;
  ver: number;
  leaseId?: string;
  leaseUntil: number;
}

/** The main window (offset 0) and any shorter ones, each with its own limit. */
const windowsOf = (limit: number, shorter: ShorterWindow[] = []): ShorterWindow[] => [{ limit, offsetMs: 0 }, ...shorter];

const stateKey = keys.botState;
const mailKey = keys.mail;

export function dynamoChatbotStore(db: DynamoDBDocumentClient, tableName: string, retentionSeconds: number): ChatbotStore {
  async function read(botId: string): Promise<BotState> {
    const out = await db.send(new GetCommand({ TableName: tableName, Key: stateKey(botId), ConsistentRead: true }));
    const item = botStateFromItem(out.Item);
    return {
      slots: item.slots ?? {},
      pausedUntil: item.pausedUntil ?? 0,
      ver: item.ver ?? 0,
      ...(item.leaseId !== undefined ? { leaseId: item.leaseId } : {}),
      leaseUntil: item.leaseUntil ?? 0,
    };
  }

  const ttl = () => Math.floor(Date.now() / 1000) + retentionSeconds;

  return {
    async acquire(botId, nowMs, opts) {
      const grant = await retrying(MAX_CAS_TRIES, CAS_BACKOFF, async (): Promise<SlotGrant | typeof TRY_AGAIN> => {
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
          // Another invocation changed the state first: read it again.
          if (!isConditionFailed(error)) throw error;
          return TRY_AGAIN;
        }
      });
      return grant === TRY_AGAIN ? { ok: false, retryAt: nowMs + 250, reason: 'busy' } : grant;
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
      await db.send(new PutCommand({ TableName: tableName, Item: mailToItem(botId, mail, ttl()) }));
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
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
        ExpressionAttributeValues: { ':pk': keys.botPartition(botId), ':mail': keys.mailPrefix },
      });
      return items.map(mailFromItem).sort((a, b) => a.enqueuedAt - b.enqueuedAt);
    },

    async deleteMail(botId, deliveryIds) {
      for (let i = 0; i < deliveryIds.length; i += 25) {
        let requests: { DeleteRequest: { Key: Record<string, unknown> } }[] = deliveryIds.slice(i, i + 25).map((id) => ({ DeleteRequest: { Key: mailKey(botId, id) } }));
        const done = await retrying(MAX_DELETE_TRIES, DELETE_BACKOFF, async () => {
          const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
          const unprocessed = (out.UnprocessedItems?.[tableName] ?? []).flatMap((r) => (r.DeleteRequest?.Key ? [{ DeleteRequest: { Key: r.DeleteRequest.Key } }] : []));
          requests = unprocessed;
          return requests.length > 0 ? TRY_AGAIN : true;
        });
        if (done === TRY_AGAIN) throw new Error('mailbox items could not be deleted (DynamoDB kept them unprocessed)');
      }
    },
  };
}
