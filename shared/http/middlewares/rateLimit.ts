/**
 * Token buckets per caller in front of the routes that declare `rateLimit` in the route
 * table: per API key (`apiKey`; the admin key has one bucket) or per registry source
 * (`source`). A request weighs what its inputs say (a CloudEvents batch: one token per
 * event). It runs after validation, so a refused request spends no tokens; when the
 * bucket is short the answer is 429 RateLimited with Retry-After. The buckets live in one
 * function instance; API Gateway's stage throttling is the shared limit in front of them.
 */
import type { MiddlewareObj } from '@middy/core';
import { rateLimited } from '../../domain/errors';
import { createTokenBuckets } from '../../domain/tokenBucket';
import type { RateLimitPer } from '../routeTable';
import type { HttpContext, HttpEvent, HttpResult, HttpState } from '../types';

export interface RateLimitOptions {
  /** Tokens a second, per caller. */
  rate: number;
  /** Bucket size: the most a caller can send at once. */
  burst: number;
  now?: () => number;
}

/** Who is drawing tokens, or undefined when the middlewares before did not say (no limit then). */
function callerOf(per: RateLimitPer, state: HttpState): string | undefined {
  if (per === 'source') return state.source ? `source:${state.source.sourceId}` : undefined;
  if (!state.principal) return undefined;
  return `apiKey:${state.principal.kind === 'admin' ? 'admin' : state.principal.keyId}`;
}

/** The API key message is rateLimited's own. */
const WHAT: Readonly<Record<RateLimitPer, string | undefined>> = { apiKey: undefined, source: 'Too many requests for this source' };

export function rateLimit(options: RateLimitOptions): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  const buckets = createTokenBuckets({ rate: options.rate, burst: options.burst });
  const now = options.now ?? Date.now;
  return {
    before: function takeTokens(request) {
      const state = request.context.http;
      const per = state.route?.rateLimit;
      if (per === undefined || !state.inputs) return;
      const caller = callerOf(per, state);
      if (caller === undefined) return;
      const decision = buckets.take(caller, state.inputs.weight(state), now());
      if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds, WHAT[per]);
    },
  };
}
