/**
 * API keys: format, scopes and the authorisation decision. Pure: hashing and
 * randomness are injected by the service layer. Every HTTP function imports this
 * (authorisation), so it holds no schemas: those are in apiKeySchemas.ts.
 */
export const SCOPES = ['rules:read', 'rules:write', 'events:read', 'events:write'] as const;
export type Scope = (typeof SCOPES)[number];

export const INSTANCE_ID_PATTERN = /^cri-[a-z0-9]{4,32}$/;
export const KEY_ID_PATTERN = /^ak-[a-z0-9]{16}$/;
/** `rek_` + key id + `_` + 43 base64url characters (32 random bytes). */
const API_KEY_PATTERN = /^rek_(ak-[a-z0-9]{16})_[A-Za-z0-9_-]{43}$/;

/** A key as listed (never its secret or hash); documented by shared/http/responseSchemas.ts. */
export interface ApiKeySummary {
  keyId: string;
  name: string;
  scopes: Scope[];
  instanceIds: string[];
  createdAt: string;
  status: 'active' | 'revoked';
  revokedAt?: string | undefined;
}

export function formatApiKey(keyId: string, secret: string): string {
  return `rek_${keyId}_${secret}`;
}

/** The key id embedded in a presented key, or undefined if it is not one of ours. */
export function keyIdOf(presented: string): string | undefined {
  return API_KEY_PATTERN.exec(presented)?.[1];
}

export type Principal =
  | { kind: 'admin' }
  | { kind: 'key'; keyId: string; name?: string; scopes: readonly Scope[]; instanceIds: readonly string[] };


export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.kind === 'admin' || principal.scopes.includes(scope);
}

export function canAccessInstance(principal: Principal, instanceId: string): boolean {
  return principal.kind === 'admin' || principal.instanceIds.includes('*') || principal.instanceIds.includes(instanceId);
}
