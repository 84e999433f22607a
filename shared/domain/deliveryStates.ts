/** The states a delivery moves through (SPEC §4 trace, §13 `suspended`), declared once. */
export const DELIVERY_STATES = ['pending', 'retrying', 'throttled', 'suspended', 'delivered', 'failed', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
