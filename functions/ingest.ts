/**
 * ingest routes. Declared in serverless.yml with auth already enforced by the shared
 * stack; the operations arrive with their issue, until then each answers 501.
 */
import { createHttpFunction } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import type { Runtime } from '../shared/runtime';
import { lazyHttpHandler } from '../shared/runtime';

export function createIngestHandler(rt: Pick<Runtime, 'logger' | 'authenticator'>): HttpHandler {
  return createHttpFunction('ingest', {}, rt);
}

export const handler = lazyHttpHandler(createIngestHandler);
