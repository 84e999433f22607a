/**
 * The per-caller token bucket as a middleware, through the real middy chain of the two
 * rate-limited routes: the exact 429 (envelope, Retry-After, the headers every answer
 * carries), one token per event of a batch, and no tokens spent by a refused request.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/domain/apiKeys';
import { createHttpFunction, operation } from '../../shared/http/createHttpFunction';
import { ingestInputs } from '../../shared/http/inputs/ingest';
import { sourceEventsInputs } from '../../shared/http/inputs/sourceEvents';
import { SECURITY_HEADERS } from '../../shared/http/middlewares/securityHeaders';
import { json } from '../../shared/http/response';
import { createLogger } from '../../shared/observability/logger';
import type { AuthenticatedSource } from '../../shared/services/sources';
import { call } from '../support/http';

const logger = createLogger('SILENT');
const NOW = Date.parse('2026-12-01T00:00:00Z');
const keys: Record<string, Principal> = {
  'Bearer one': { kind: 'key', keyId: 'k-one', scopes: ['events:write'], instanceIds: ['cri-rate00001'] },
  'Bearer two': { kind: 'key', keyId: 'k-two', scopes: ['events:write'], instanceIds: ['cri-rate00001'] },
};
const authenticator = {
  authenticate: async (authorization: string | undefined) => (authorization ? keys[authorization] : undefined),
  authenticateSession: async () => undefined,
  forgetSession: () => undefined,
};

function ingestFunction(now: () => number) {
  const weights: number[] = [];
  const handler = createHttpFunction(
    'ingest',
    {
      ingestEvents: operation(ingestInputs.ingestEvents, async ({ payload }) => {
        weights.push(payload.mode === 'batch' ? payload.events.length : 1);
        return json(202, { ok: true });
      }),
    },
    { logger, authenticator, rateLimit: { rate: 1, burst: 3, now } },
  );
  return { handler, weights };
}

const event = (id: string) => ({ specversion: '1.0', id, source: 's', type: 't' });
const post = (key: string, body: unknown, contentType = 'application/json') => ({
  method: 'POST',
  path: '/v1/events',
  headers: { authorization: key, 'content-type': contentType },
  body: JSON.stringify(body),
});

describe('rate limit middleware', () => {
  it('answers 429 RateLimited with Retry-After once a key has spent its burst; a batch spends one token per event', async () => {
    const { handler, weights } = ingestFunction(() => NOW);
    expect((await call(handler, post('Bearer one', [event('a'), event('b')], 'application/cloudevents-batch+json'))).status).toBe(202);
    expect((await call(handler, post('Bearer one', event('c')))).status).toBe(202);
    const refused = await call(handler, post('Bearer one', event('d')));
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ error: { code: 'RateLimited', message: 'Too many requests for this API key; try again in 1 s.' } });
    expect(refused.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'retry-after': '1',
      ...SECURITY_HEADERS,
      'x-request-id': expect.any(String),
    });
    expect(weights).toEqual([2, 1]);
    // Another key has its own bucket.
    expect((await call(handler, post('Bearer two', event('e')))).status).toBe(202);
  });

  it('refills at the configured rate, and asks a batch larger than what is left to wait for its tokens', async () => {
    let now = NOW;
    const { handler } = ingestFunction(() => now);
    expect((await call(handler, post('Bearer one', [event('a'), event('b'), event('c')], 'application/cloudevents-batch+json'))).status).toBe(202);
    const batch = await call(handler, post('Bearer one', [event('d'), event('e')], 'application/cloudevents-batch+json'));
    expect(batch.status).toBe(429);
    expect(batch.headers['retry-after']).toBe('2');
    now += 2_000;
    expect((await call(handler, post('Bearer one', [event('d'), event('e')], 'application/cloudevents-batch+json'))).status).toBe(202);
  });

  it('runs after validation: a request refused with 400 or 415 spends no tokens', async () => {
    const { handler } = ingestFunction(() => NOW);
    const tooBig = Array.from({ length: 101 }, (_, i) => event(`x${i}`));
    expect((await call(handler, post('Bearer one', tooBig, 'application/cloudevents-batch+json'))).status).toBe(400);
    expect((await call(handler, post('Bearer one', [], 'application/cloudevents-batch+json'))).status).toBe(400);
    expect((await call(handler, post('Bearer one', event('a'), 'application/vnd.other+json'))).status).toBe(415);
    expect((await call(handler, { ...post('Bearer one', event('a')), query: { x: '1' } })).status).toBe(400);
    expect((await call(handler, post('Bearer one', [event('a'), event('b'), event('c')], 'application/cloudevents-batch+json'))).status).toBe(202);
  });

  it('limits a registry source by its own bucket, with its own message', async () => {
    const source: AuthenticatedSource = { sourceId: 'src-0123456789abcdef', instanceId: 'cri-rate00001', name: 'h', kind: 'harbor', regionId: 'cn-hangzhou', createdAt: '2026-12-01T00:00:00Z' };
    const handler = createHttpFunction(
      'sourceEvents',
      { ingestSourceEvents: operation(sourceEventsInputs.ingestSourceEvents, async () => json(202, { results: [] })) },
      {
        logger,
        sourceAuthenticator: { authenticate: async (sourceId, authorization) => (sourceId === source.sourceId && authorization === 'Bearer tok' ? source : undefined) },
        rateLimit: { rate: 1, burst: 1, now: () => NOW },
      },
    );
    const request = { method: 'POST', path: `/v1/sources/${source.sourceId}/events`, headers: { authorization: 'Bearer tok' }, body: { events: [] } };
    expect((await call(handler, { ...request, body: undefined })).status).toBe(400);
    expect((await call(handler, request)).status).toBe(202);
    const refused = await call(handler, request);
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ error: { code: 'RateLimited', message: 'Too many requests for this source; try again in 1 s.' } });
    expect(refused.headers['retry-after']).toBe('1');
  });
});
