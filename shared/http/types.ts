import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../domain/apiKeys';
import type { AuthenticatedSource } from '../services/sources';
import type { RequestAuth, AcceptingInputs } from './routeInputs';
import type { RouteSpec } from './routeTable';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

/** What the middlewares learn about a request, in the order they learn it. */
export interface HttpState extends RequestAuth {
  requestId: string;
  startedAt: number;
  route?: RouteSpec;
  /** The matched route's inputs (undefined until a route matches). */
  inputs?: AcceptingInputs;
  params: Record<string, string>;
  principal?: Principal;
  /** The console session token, when the request was authenticated by its cookie. */
  sessionToken?: string;
  /** The registry source whose token authenticated the request (routes with auth `sourceToken`). */
  source?: AuthenticatedSource;
  body?: unknown;
}

export type HttpContext = Context & { http: HttpState };
