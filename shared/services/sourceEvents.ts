/**
 * Native registry webhooks (SPEC §11): the source's dialect maps the body to events or
 * ignored items (a malformed body fails whole, before anything is written), then the
 * events go through the one ingest path — de-duplication, matching, recording, fan-out —
 * as if the source were a key that may write only its own instance. Ignored items are
 * answered (so registries do not retry) and counted, never stored. The native payload is
 * stored once per request, before its events, and each event points at it (origin).
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../domain/apiKeys';
import type { RegistryEvent } from '../domain/cloudEvents';
import { SOURCE_DIALECTS } from '../sources/registry';
import type { SourceContext } from '../sources/dialect';
import type { MetricsSink } from '../observability/metrics';
import { ingestEvents, listedResult } from './ingest';
import type { IngestDeps, IngestResult, ListedResult } from './ingest';
import type { AuthenticatedSource } from './sources';
import type { SourcePayloadStore } from './sourcePorts';

export interface SourceEventsDeps {
  ingest: IngestDeps;
  payloads: Pick<SourcePayloadStore, 'put'>;
  metrics?: MetricsSink;
  log?: (message: string, fields: Record<string, unknown>) => void;
  now?: () => Date;
}

/** An ingest result at its native item's index, or an item the dialect ignores. */
export type SourceResult = ListedResult | { index: number; status: 'ignored' };

/** A source writes events of its own instance only, like a key scoped to it with events:write. */
const principalOf = (source: AuthenticatedSource): Principal => ({ kind: 'key', keyId: source.sourceId, scopes: ['events:write'], instanceIds: [source.instanceId] });

export async function receiveSourceEvents(
  deps: SourceEventsDeps,
  source: AuthenticatedSource,
  body: unknown,
  headers: Readonly<Record<string, string | undefined>>,
): Promise<SourceResult[]> {
  const context: SourceContext = { ...source, receivedAt: deps.now?.() ?? new Date() };
  const { payload, items } = SOURCE_DIALECTS[source.kind].parse(body, context, headers);

  const payloadJson = JSON.stringify(payload);
  const payloadId = `${source.sourceId}#${createHash('sha256').update(payloadJson).digest('hex')}`;
  const mapped = items.flatMap((item) =>
    item.outcome === 'event'
      ? [{ index: item.index, event: { ...item.event, origin: { sourceId: source.sourceId, name: source.name, kind: source.kind, index: item.index, payloadId } } }]
      : [],
  );
  let ingested: IngestResult[] = [];
  if (mapped.length > 0) {
    const expiresAt = new Date(context.receivedAt.getTime() + deps.ingest.retentionSeconds * 1000).toISOString();
    await deps.payloads.put(payloadId, { json: payloadJson, expiresAt });
    ingested = await ingestEvents<RegistryEvent>({ ...deps.ingest, now: () => context.receivedAt }, principalOf(source), mapped.map((m) => m.event), (event) => event);
  }

  // Back in native order: each ingest result takes the native index of the item it came from.
  let next = 0;
  const results = items.map((item): SourceResult => {
    if (item.outcome === 'ignored') return { index: item.index, status: 'ignored' };
    const result = ingested[next];
    next += 1;
    if (!result) throw new Error('ingest returned fewer results than events');
    return { ...listedResult(result), index: item.index };
  });

  const ignored = items.length - mapped.length;
  if (ignored > 0) deps.metrics?.({ SourceItemsIgnored: ignored });
  deps.log?.('source payload received', { sourceId: source.sourceId, kind: source.kind, items: items.length, events: mapped.length, ignored });
  return results;
}
