/**
 * The console's one API client. Types come from the service's own code (type-only
 * imports, nothing of it is bundled), so a change of a response shape breaks the
 * console's typecheck rather than the page. Every call rides on the session cookie and
 * carries `x-requested-with: console`, which the API demands of state-changing cookie
 * requests (CSRF).
 */
import type { ApiKeySummary, Scope } from '../../shared/domain/apiKeys';
import type { CreateRuleRequest, RegionQuota, RuleView, UpdateRuleRequest } from '../../shared/domain/rules';
import type { Me } from '../../shared/domain/sessions';
import type { SourceKind } from '../../shared/domain/sourceKinds';
import type { SourceView } from '../../shared/domain/sources';
import type { getEventTrace, listEvents } from '../../shared/services/history';
import type { RuleTestResult } from '../../shared/services/ruleTest';
import type { MaskedNotify, Notify } from '../../shared/domain/rules';
import type { BulkRedeliverRequest } from '../../shared/services/bulkRedeliver';
import type { ChatbotView } from '../../shared/services/chatbotStatus';

export type { BulkRedeliverRequest, ChatbotView, Notify };
export interface AlertTarget {
  notify: MaskedNotify;
}

export type { ApiKeySummary, CreateRuleRequest, Me, RegionQuota, RuleTestResult, RuleView, Scope, SourceKind, SourceView, UpdateRuleRequest };
export type EventPage = Awaited<ReturnType<typeof listEvents>>;
export type EventSummary = EventPage['events'][number];
export type EventTrace = Awaited<ReturnType<typeof getEventTrace>>;
export type TraceDelivery = EventTrace['deliveries'][number];

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let onSignedOut: () => void = () => undefined;
/** Called when the API answers 401: the session ended (expired, signed out elsewhere, key revoked). */
export function whenSignedOut(listener: () => void): void {
  onSignedOut = listener;
}

interface Answer<T> {
  data: T;
  headers: Headers;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function toApiError(status: number, payload: unknown): ApiError {
  const error = isRecord(payload) && isRecord(payload.error) ? payload.error : undefined;
  const details = Array.isArray(error?.details)
    ? error.details.filter(isRecord).map((d) => ({ path: String(d.path ?? ''), message: String(d.message ?? '') }))
    : [];
  return new ApiError(status, String(error?.code ?? `HTTP${status}`), String(error?.message ?? `HTTP ${status}`), details);
}

async function call<T>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; quietAuth?: boolean } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', 'x-requested-with': 'console', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let payload: unknown;
  try {
    payload = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    payload = undefined;
  }
  if (!response.ok) {
    if (response.status === 401 && !options.quietAuth) onSignedOut();
    throw toApiError(response.status, payload);
  }
  return { data: payload as T, headers: response.headers };
}

const enc = encodeURIComponent;
const rulesPath = (instanceId: string) => `/v1/instances/${enc(instanceId)}/rules`;

export const api = {
  me: async () => (await call<Me>('GET', '/v1/me', { quietAuth: true })).data,
  signIn: async (apiKey: string) => (await call<{ principal: Me; expiresAt: string }>('POST', '/v1/sessions', { body: { apiKey }, quietAuth: true })).data,
  signOut: async () => {
    await call<undefined>('DELETE', '/v1/sessions/current', { quietAuth: true });
  },

  listRules: async (instanceId: string) => (await call<{ rules: RuleView[]; quotas: RegionQuota[] }>('GET', rulesPath(instanceId))).data,
  getRule: async (instanceId: string, ruleId: string) => {
    const answer = await call<RuleView>('GET', `${rulesPath(instanceId)}/${enc(ruleId)}`);
    return { rule: answer.data, etag: answer.headers.get('etag') ?? `"${answer.data.version}"` };
  },
  createRule: async (instanceId: string, body: CreateRuleRequest) => (await call<RuleView>('POST', rulesPath(instanceId), { body })).data,
  updateRule: async (instanceId: string, ruleId: string, patch: UpdateRuleRequest, etag: string) =>
    (await call<RuleView>('PATCH', `${rulesPath(instanceId)}/${enc(ruleId)}`, { body: patch, headers: { 'if-match': etag } })).data,
  deleteRule: async (instanceId: string, ruleId: string, etag: string) => {
    await call<undefined>('DELETE', `${rulesPath(instanceId)}/${enc(ruleId)}`, { headers: { 'if-match': etag } });
  },
  testRule: async (instanceId: string, ruleId: string) => (await call<RuleTestResult>('POST', `${rulesPath(instanceId)}/${enc(ruleId)}/test`)).data,

  listEvents: async (instanceId: string, query: Record<string, string>) => {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '')).toString();
    return (await call<EventPage>('GET', `/v1/instances/${enc(instanceId)}/events${qs ? `?${qs}` : ''}`)).data;
  },
  // Event ids are unique per instance: the console always asks under the instance it shows.
  getEvent: async (instanceId: string, eventId: string) => (await call<EventTrace>('GET', `/v1/instances/${enc(instanceId)}/events/${enc(eventId)}`)).data,
  redeliver: async (instanceId: string, eventId: string, ruleId?: string) =>
    (await call<{ requeued: string[] }>('POST', `/v1/instances/${enc(instanceId)}/events/${enc(eventId)}/redeliver`, { body: ruleId ? { ruleId } : {} })).data,

  resumeRule: async (instanceId: string, ruleId: string) => (await call<{ requeued: number }>('POST', `${rulesPath(instanceId)}/${enc(ruleId)}/resume`)).data,
  getAlertTarget: async (instanceId: string): Promise<AlertTarget | undefined> => {
    try {
      return (await call<AlertTarget>('GET', `/v1/instances/${enc(instanceId)}/alerts`)).data;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  },
  putAlertTarget: async (instanceId: string, notify: Notify) => (await call<AlertTarget>('PUT', `/v1/instances/${enc(instanceId)}/alerts`, { body: { notify } })).data,
  deleteAlertTarget: async (instanceId: string) => {
    await call<undefined>('DELETE', `/v1/instances/${enc(instanceId)}/alerts`);
  },
  bulkRedeliver: async (instanceId: string, body: BulkRedeliverRequest) => (await call<{ requeued: number }>('POST', `/v1/instances/${enc(instanceId)}/redeliver`, { body })).data,
  listChatbots: async (instanceId: string) => (await call<{ chatbots: ChatbotView[] }>('GET', `/v1/instances/${enc(instanceId)}/chatbots`)).data.chatbots,

  listSources: async (instanceId: string) => (await call<{ sources: SourceView[] }>('GET', `/v1/instances/${enc(instanceId)}/sources`)).data.sources,
  createSource: async (instanceId: string, body: { name: string; kind: SourceKind; regionId: string }) =>
    (await call<SourceView & { token: string }>('POST', `/v1/instances/${enc(instanceId)}/sources`, { body })).data,
  deleteSource: async (instanceId: string, sourceId: string) => {
    await call<undefined>('DELETE', `/v1/instances/${enc(instanceId)}/sources/${enc(sourceId)}`);
  },

  listApiKeys: async () => (await call<{ apiKeys: ApiKeySummary[] }>('GET', '/v1/api-keys')).data.apiKeys,
  createApiKey: async (body: { name: string; scopes: Scope[]; instanceIds: string[] }) =>
    (await call<{ keyId: string; apiKey: string; name: string }>('POST', '/v1/api-keys', { body })).data,
  revokeApiKey: async (keyId: string) => {
    await call<undefined>('DELETE', `/v1/api-keys/${enc(keyId)}`);
  },
};
