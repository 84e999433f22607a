/** What the source use cases need from storage. */
import type { SourceKind } from '../domain/sources';

export interface SourceRecord {
  sourceId: string;
  instanceId: string;
  name: string;
  kind: SourceKind;
  regionId: string;
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  tokenHash: string;
  createdAt: string;
}

export interface StoredPayload {
  /** The native payload as received, serialised once. */
  json: string;
  expiresAt: string;
}

export interface SourcePayloadStore {
  /** Stores (or refreshes) a payload until `expiresAt`; the same id always holds the same content. */
  put(payloadId: string, payload: StoredPayload): Promise<void>;
  /** The payload, unless it expired. */
  get(payloadId: string, nowIso: string): Promise<StoredPayload | undefined>;
}

export interface SourceStore {
  put(record: SourceRecord): Promise<void>;
  get(sourceId: string): Promise<SourceRecord | undefined>;
  list(instanceId: string): Promise<SourceRecord[]>;
  /** Deletes the source if it belongs to the instance; false when there is no such source. */
  remove(instanceId: string, sourceId: string): Promise<boolean>;
}
