/**
 * Every key of the single table, in one place, so each access pattern is visible at
 * a glance (see resources/table.yml for the indexes).
 */
export const keys = {
  apiKey: (keyId: string) => ({ pk: `APIKEY#${keyId}`, sk: 'APIKEY' }),
  /** gsi1: all API keys, newest last. */
  apiKeyListing: (createdAt: string, keyId: string) => ({ gsi1pk: 'APIKEYS', gsi1sk: `${createdAt}#${keyId}` }),
  apiKeyListingPartition: 'APIKEYS',
} as const;
