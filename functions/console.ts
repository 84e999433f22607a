/** GET /console and /console/{proxy+}: the web console, built into this function's bundle. */
import assets from 'virtual:console-assets';
import { createConsoleServer } from '../shared/http/consoleServer';
import type { ConsoleFiles } from '../shared/http/consoleServer';
import type { HttpEvent, HttpResult } from '../shared/http/types';

export function createConsoleHandler(files: ConsoleFiles): (event: HttpEvent) => Promise<HttpResult> {
  const serve = createConsoleServer(files);
  return async (event) =>
    serve({
      method: event.requestContext?.http?.method ?? 'GET',
      path: event.rawPath ?? '/console',
      acceptEncoding: event.headers?.['accept-encoding'],
      ifNoneMatch: event.headers?.['if-none-match'],
    });
}

export const handler = createConsoleHandler(assets);
