/** The per-chatbot sliding log under truly concurrent writers, on DynamoDB Local. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dynamoChatbotStore } from '../../shared/adapters/dynamo/chatbotRepository';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('limiter');
});
afterAll(() => table.drop());

it('20 concurrent slot requests on a 5-per-window bot: exactly 5 granted, the rest told when to retry', async () => {
  const store = dynamoChatbotStore(table.db, table.tableName, 3600);
  const now = Date.now();
  const grants = await Promise.all(Array.from({ length: 20 }, () => store.acquire('bot-a', now, { limit: 5, holdMs: 4_000 })));
  expect(grants.filter((g) => g.ok)).toHaveLength(5);
  for (const g of grants) if (!g.ok) expect(g.retryAt).toBeGreaterThan(now);
  // Slots expire on their own; a pause blocks until it ends.
  expect((await store.acquire('bot-a', now + 4_001, { limit: 5, holdMs: 4_000 })).ok).toBe(true);
  await store.pause('bot-a', now + 10_000);
  const paused = await store.acquire('bot-a', now + 5_000, { limit: 5, holdMs: 4_000 });
  expect(paused).toEqual({ ok: false, retryAt: now + 10_000, reason: 'paused' });
});

it('the flush lease admits one flusher at a time', async () => {
  const store = dynamoChatbotStore(table.db, table.tableName, 3600);
  const now = Date.now();
  const grants = await Promise.all(Array.from({ length: 6 }, () => store.acquire('bot-b', now, { limit: 20, holdMs: 1_000, leaseMs: 5_000 })));
  const winners = grants.filter((g) => g.ok);
  expect(winners).toHaveLength(1);
  expect(grants.filter((g) => !g.ok && g.reason === 'busy')).toHaveLength(5);
  const [winner] = winners;
  if (winner?.ok && winner.leaseId) await store.release('bot-b', winner.leaseId);
  expect((await store.acquire('bot-b', now, { limit: 20, holdMs: 1_000, leaseMs: 5_000 })).ok).toBe(true);
});
