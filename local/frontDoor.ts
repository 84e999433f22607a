/**
 * The local HTTP API's front door: a loopback pass-through in front of serverless-offline
 * that hands the functions request bodies the way API Gateway does. serverless-offline
 * decodes every body that is not `application/octet-stream` or `multipart/form-data` as
 * UTF-8 text before the function sees it, silently replacing invalid bytes with U+FFFD,
 * so the functions' strict decoding (400 MalformedJson) never saw them. A body that is
 * not valid UTF-8 is instead marked binary for serverless-offline (which then passes the
 * exact bytes base64-encoded, `isBase64Encoded: true`, as API Gateway does for a payload
 * it cannot pass as text): the function decides, as deployed. So is a body that is a bare
 * JSON string (`"x"`): serverless-offline parses a JSON body and would hand the function
 * the string's content, which is no longer JSON. Other bodies, headers and responses pass
 * through untouched.
 */
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** API Gateway's own payload limit; the functions refuse anything over 256 KiB themselves. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** serverless-offline passes a body as raw bytes when its content type mentions this. */
const BINARY_MARKER = 'application/octet-stream';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Whether the body is a bare JSON string (after optional whitespace and a byte-order mark). */
export function isJsonString(body: Buffer): boolean {
  return /^\uFEFF?\s*"/.test(body.subarray(0, 16).toString('utf8'));
}

/** The headers to forward: a body that is not valid UTF-8, or a bare JSON string, is marked binary; nothing else changes. */
export function forwardedHeaders(headers: IncomingHttpHeaders, body: Buffer): IncomingHttpHeaders {
  if (body.length === 0 || (isValidUtf8(body) && !isJsonString(body))) return headers;
  const type = headers['content-type'];
  return { ...headers, 'content-type': type ? `${type}; local-body=${BINARY_MARKER}` : BINARY_MARKER };
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface FrontDoor {
  close(): Promise<void>;
}

export async function startFrontDoor(opts: { port: number; upstreamPort: number; log: (line: string) => void }): Promise<FrontDoor> {
  const agent = new Agent({ keepAlive: true });

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === 'too-large') {
      res.writeHead(413, { 'content-type': 'application/json' }).end('{"message":"Request Entity Too Large"}');
      return;
    }
    const headers = forwardedHeaders(req.headers, body);
    const upstream = httpRequest({ host: '127.0.0.1', port: opts.upstreamPort, method: req.method, path: req.url, headers, agent }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.rawHeaders);
      reply.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Bad Gateway"}');
      else res.destroy();
    });
    upstream.end(body);
  }

  const server = createServer((req, res) => {
    forward(req, res).catch((error: unknown) => {
      opts.log(`front door: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(502).end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
