/** SPEC §1: the event types and the final statuses each can report. */
export const EVENT_STATUSES = {
  'cr:Artifact:SynchronizationCompleted': ['SUCCESS', 'FAILED', 'CANCELED'],
  'cr:Artifact:BuildCompleted': ['SUCCESS', 'FAILED', 'CANCELED'],
  'cr:Artifact:ScanCompleted': ['SUCCESS', 'FAILED'],
  'cr:Artifact:DeliveryChainCompleted': ['SUCCESS', 'FAILED', 'CANCELED', 'DENIED'],
  'cr:Artifact:SigningCompleted': ['SUCCESS', 'FAILED'],
  /** v2: ACR's newer type; also what other registries' pushes map to (SPEC §11). */
  'cr:Artifact:PushCompleted': ['SUCCESS', 'FAILED'],
} as const satisfies Record<string, readonly string[]>;

export type EventType = keyof typeof EVENT_STATUSES;
export const EVENT_TYPES = Object.keys(EVENT_STATUSES) as EventType[];
export const ALL_STATUSES = ['SUCCESS', 'FAILED', 'CANCELED', 'DENIED'] as const;
export type EventStatus = (typeof ALL_STATUSES)[number];

/** The type-specific status field of each event type's `data`. */
export const STATUS_FIELDS: Record<EventType, string> = {
  'cr:Artifact:SynchronizationCompleted': 'SyncStatus',
  'cr:Artifact:BuildCompleted': 'BuildStatus',
  'cr:Artifact:ScanCompleted': 'ScanStatus',
  'cr:Artifact:DeliveryChainCompleted': 'ChainStatus',
  'cr:Artifact:SigningCompleted': 'SignStatus',
  'cr:Artifact:PushCompleted': 'PushStatus',
};

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_STATUSES, value);
}

export function statusesOf(type: EventType): readonly EventStatus[] {
  return EVENT_STATUSES[type];
}
