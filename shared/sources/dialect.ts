/**
 * One small interface for every registry dialect (SPEC §11): a native webhook body in,
 * this service's events (or "ignored" items) out. A fifth registry is one file that
 * implements SourceDialect plus one line in ./registry.ts.
 */
import type { RegistryEvent } from '../domain/cloudEvents';
import type { SourceKind } from '../domain/sources';

/** Who is sending: the source the token belongs to, and when the request arrived. */
export interface SourceContext {
  sourceId: string;
  name: string;
  kind: SourceKind;
  instanceId: string;
  regionId: string;
  receivedAt: Date;
}

/**
 * One result per native item: `index` is the item's position in the native payload (the
 * envelope's `events[]` entry, the Harbor resource); an item that yields several events
 * (one per tag) repeats its index.
 */
export type SourceItem =
  | { index: number; outcome: 'event'; event: RegistryEvent }
  | { index: number; outcome: 'ignored'; reason: string };

export interface SourceParse {
  /** The native payload as received, kept (once) for the traces of its events. */
  payload: unknown;
  items: SourceItem[];
}

export interface SourceDialect {
  kind: SourceKind;
  /**
   * Maps a native body. A body that is not this dialect's well-formed shape throws
   * ValidationFailed (400) with paths into the native body, so nothing of it is recorded;
   * well-formed items this service has no event type for come back `ignored`.
   */
  parse(body: unknown, context: SourceContext, headers: Readonly<Record<string, string | undefined>>): SourceParse;
}
