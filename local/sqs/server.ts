/**
 * HTTP front of the local SQS emulator, speaking the AWS JSON 1.0 protocol that
 * @aws-sdk/client-sqs v3 uses: POST, `x-amz-target: AmazonSQS.<Action>`, JSON bodies.
 * Signatures are not checked. Only the `http` module is used so the local stack needs
 * nothing beyond Node.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqsError } from './errors';
import { OPERATIONS } from './operations';
import { isObject } from './protocol';
import type { JsonObject } from './protocol';
import { QueueStore } from './queueStore';
import type { Clock } from './queueStore';

export interface SqsEmulatorLogger {
  debug?(message: string): void;
  error?(message: string, error?: unknown): void;
}

export interface SqsEmulatorOptions {
  host?: string;
  port?: number;
  region?: string;
  accountId?: string;
  clock?: Clock;
  logger?: SqsEmulatorLogger;
  /** Larger request bodies get 413. */
  maxBodyBytes?: number;
  /** Keep queues and messages across restarts here (SQS is durable; so is its emulator). */
  dataDir?: string;
}

export interface SqsEmulator {
  endpoint: string;
  queueUrl(name: string): string;
  queueArn(name: string): string;
  close(): Promise<void>;
  /** The backing store, for tests and tooling that want to inspect or seed queues directly. */
  store: QueueStore;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AmazonSQS.';

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      // Keep draining without buffering so the 413 can still be written on this socket.
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseInput(body: Buffer): JsonObject {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new SqsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (!isObject(parsed)) throw new SqsError('SerializationException', 'The request body must be a JSON object.');
  return parsed;
}

function send(res: ServerResponse, status: number, payload: JsonObject, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(body);
}

function sendError(res: ServerResponse, err: SqsError): void {
  send(res, err.status, { __type: err.typeName, message: err.message }, {
    // The SDK maps this header (awsQueryCompatible) to the modelled exception class.
    'x-amzn-query-error': `${err.queryCode};${err.senderFault ? 'Sender' : 'Receiver'}`,
  });
}

export async function startSqsEmulator(opts: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? {};
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
  const store = new QueueStore({ clock: opts.clock, region: opts.region, accountId: opts.accountId, ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}) });
  const inFlight = new Set<Promise<void>>();
  let endpoint = '';
  const queueUrl = (name: string): string => `${endpoint}/${store.accountId}/${name}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      throw new SqsError('RequestEntityTooLarge', `Request body exceeds ${maxBodyBytes} bytes.`);
    }
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
      throw new SqsError('InvalidAction', 'Only the AWS JSON protocol is supported: POST with x-amz-target: AmazonSQS.<Action>.');
    }
    const action = target.slice(TARGET_PREFIX.length);
    const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
    if (!operation) throw new SqsError('InvalidAction', `The action ${action} is not valid for this web service.`);
    const input = parseInput(body);
    logger.debug?.(`SQS ${action}`);
    const output = await operation(input, { store, queueUrl, signal: abort.signal });
    send(res, 200, output);
  }

  const server = createServer((req, res) => {
    const done = new Promise<void>((resolve) => res.on('close', resolve));
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
    handle(req, res).catch((err: unknown) => {
      if (err instanceof SqsError) return sendError(res, err);
      logger.error?.('SQS emulator: unexpected error', err);
      sendError(res, new SqsError('InternalError', 'We encountered an internal error. Please try again.'));
    });
  });
  // Long polls last up to 20 s; Node's defaults would otherwise cut idle keep-alive sockets
  // while the SDK still considers them reusable.
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  endpoint = `http://${publicHost}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    queueUrl,
    queueArn: (name) => store.queueArn(name),
    store,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Ending the waits lets pending long polls answer (empty) before sockets are cut.
        store.close();
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), 1000);
        void Promise.allSettled([...inFlight]).then(() => {
          clearTimeout(grace);
          server.closeAllConnections();
        });
      });
      return closing;
    },
  };
}
