/** Builds API Gateway HTTP API (payload 2.0) events, as AWS and serverless-offline send them. */
import type { HttpContext, HttpEvent, HttpResult } from '../../shared/http/types';
import { randomUUID } from 'node:crypto';

export interface RequestInit {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | object;
  query?: Record<string, string>;
  isBase64Encoded?: boolean;
  /** Cookies as API Gateway's payload 2.0 passes them (`name=value`). */
  cookies?: string[];
}

export function apiEvent(init: RequestInit): HttpEvent {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: init.path,
    rawQueryString: new URLSearchParams(init.query ?? {}).toString(),
    headers,
    ...(init.query ? { queryStringParameters: init.query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: init.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    ...(body !== undefined ? { body } : {}),
    ...(init.cookies ? { cookies: init.cookies } : {}),
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
}

export function lambdaContext(): HttpContext {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: 'test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } as unknown as HttpContext;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  json: unknown;
  text: string;
  cookies: string[];
}

export async function call(
  handler: (event: HttpEvent, context: HttpContext) => Promise<HttpResult>,
  init: RequestInit,
): Promise<Reply> {
  const result = await handler(apiEvent(init), lambdaContext());
  const text = typeof result.body === 'string' ? result.body : '';
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: result.statusCode, headers: result.headers, json, text, cookies: result.cookies ?? [] };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
