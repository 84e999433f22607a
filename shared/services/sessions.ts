/**
 * Console sign-in (SPEC §10): an API key, checked once, becomes a session whose random
 * token travels only in an HttpOnly cookie. Only the token's SHA-256 is stored, and the
 * session remembers which key it stands for, so every request re-checks that key (its
 * scopes, instances and revocation) exactly as a bearer request would.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../domain/apiKeys';
import { unauthorized } from '../domain/errors';
import { SESSION_TTL_SECONDS } from '../domain/sessions';
import type { Authenticator } from './authenticate';

export type SessionSubject = { kind: 'admin'; adminDigest: string } | { kind: 'key'; keyId: string };

export interface SessionRecord {
  tokenHash: string;
  subject: SessionSubject;
  createdAt: string;
  expiresAt: string;
}

export interface SessionStore {
  put(record: SessionRecord): Promise<void>;
  get(tokenHash: string): Promise<SessionRecord | undefined>;
  remove(tokenHash: string): Promise<void>;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export interface SessionDeps {
  authenticator: Authenticator;
  sessions: SessionStore;
  now?: () => Date;
}

export interface StartedSession {
  token: string;
  principal: Principal;
  expiresAt: string;
  maxAgeSeconds: number;
}

export async function startSession(deps: SessionDeps, apiKey: string): Promise<StartedSession> {
  const principal = await deps.authenticator.authenticate(`Bearer ${apiKey}`);
  if (!principal) throw unauthorized();
  const now = deps.now?.() ?? new Date();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000).toISOString();
  const subject: SessionSubject = principal.kind === 'admin' ? { kind: 'admin', adminDigest: sha256Hex(apiKey) } : { kind: 'key', keyId: principal.keyId };
  await deps.sessions.put({ tokenHash: sha256Hex(token), subject, createdAt: now.toISOString(), expiresAt });
  return { token, principal, expiresAt, maxAgeSeconds: SESSION_TTL_SECONDS };
}

export async function endSession(deps: Pick<SessionDeps, 'sessions' | 'authenticator'>, token: string): Promise<void> {
  const tokenHash = sha256Hex(token);
  deps.authenticator.forgetSession(tokenHash);
  await deps.sessions.remove(tokenHash);
}
