/** Registry sources in tests: create one through the API, post native webhooks, read fixtures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { HttpHandler } from '../../shared/http/createHttpFunction';
import { ADMIN_KEY } from './app';
import { bearer, call } from './http';
import type { Reply } from './http';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'sources');

/** A vendor's documented example payload (see test/fixtures/sources/README.md), freshly parsed. */
export function fixture(kind: 'harbor' | 'distribution' | 'ecr', name: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(join(FIXTURES, kind, `${name}.json`), 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`fixture ${kind}/${name} is not an object`);
  return { ...parsed };
}

export interface TestSource {
  sourceId: string;
  token: string;
  ingestUrl: string;
  name: string;
}

export async function makeSource(sources: HttpHandler, instanceId: string, body: { name: string; kind: string; regionId?: string }, key = ADMIN_KEY): Promise<TestSource> {
  const reply = await call(sources, {
    method: 'POST',
    path: `/v1/instances/${instanceId}/sources`,
    headers: bearer(key),
    body: { regionId: 'cn-hangzhou', ...body },
  });
  expect(reply.status, reply.text).toBe(201);
  const created = reply.json as TestSource;
  return { sourceId: created.sourceId, token: created.token, ingestUrl: created.ingestUrl, name: body.name };
}

export function postNative(handler: HttpHandler, source: Pick<TestSource, 'ingestUrl' | 'token'>, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return call(handler, {
    method: 'POST',
    path: source.ingestUrl,
    headers: { ...bearer(source.token), 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export type SourceResultJson = { index: number; eventId?: string; status: string; matchedRuleIds?: string[]; error?: { code: string } };
export const resultsOf = (reply: Reply) => (reply.json as { results: SourceResultJson[] }).results;
