/**
 * The OpenAPI document as a contract: Redocly's linter (recommended-strict plus the
 * rules in redocly.yaml, offline) finds nothing in it, every route documents what it
 * answers, and the typed client's types committed in test/generated/api.ts are what
 * openapi-typescript generates from it today (test/e2e/typedClient.test.ts calls every
 * route through them).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ROUTES } from '../../shared/http/routeTable';
import { API_TYPES_FILE, generateApiTypes, servedDocument } from '../support/apiTypes';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The parts of an operation these checks read, parsed from the served JSON. */
const operationSchema = z.looseObject({
  parameters: z.optional(z.array(z.looseObject({ name: z.string(), in: z.string() }))),
  requestBody: z.optional(z.looseObject({ content: z.record(z.string(), z.unknown()) })),
  responses: z.record(z.string(), z.looseObject({ headers: z.optional(z.record(z.string(), z.unknown())) })),
});
type Operation = z.infer<typeof operationSchema>;
const documentSchema = z.looseObject({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) });

const operations = () => {
  const doc = documentSchema.parse(JSON.parse(servedDocument()));
  return (method: string, path: string): Operation => operationSchema.parse(doc.paths[path]?.[method.toLowerCase()]);
};

async function lint(file: string): Promise<{ code: number; output: string }> {
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  const bin = join(ROOT, 'node_modules', '.bin', 'redocly');
  try {
    const { stdout, stderr } = await promisify(execFile)(bin, ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'stylish'], { env, cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the OpenAPI document', () => {
  it('passes the Redocly linter with no error and no warning', async () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, servedDocument());
    const { code, output } = await lint(file);
    expect(output).toContain('Your API description is valid');
    expect(output).not.toMatch(/^\s*\d+:\d+\s+(error|warning)\s/m);
    expect(code, output).toBe(0);
  }, 60_000);

  it('the linter fails a document that breaks it (the check can fail)', async () => {
    const broken = documentSchema.parse(JSON.parse(servedDocument()));
    broken.paths['/v1/health'] = { get: { operationId: 'getHealth', summary: 'no responses' } };
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(broken));
    expect((await lint(file)).code).not.toBe(0);
  }, 60_000);

  it('documents the parameters, headers and media types the routes use', () => {
    const op = operations();
    const names = (o: Operation) => (o.parameters ?? []).map((p) => p.name);
    expect(names(op('GET', '/v1/instances/{instanceId}/events'))).toEqual(
      expect.arrayContaining(['instanceId', 'ruleId', 'eventType', 'status', 'namespace', 'repoName', 'limit', 'nextToken']),
    );
    for (const method of ['PATCH', 'DELETE']) {
      expect(names(op(method, '/v1/instances/{instanceId}/rules/{ruleId}'))).toContain('If-Match');
    }
    const ingest = op('POST', '/v1/events');
    expect(Object.keys(ingest.requestBody?.content ?? {}).sort()).toEqual(['application/cloudevents+json', 'application/cloudevents-batch+json', 'application/json']);
    expect(names(ingest)).toEqual(expect.arrayContaining(['ce-specversion', 'ce-id', 'ce-source', 'ce-type']));
    expect(Object.keys(ingest.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '409', '413', '415', '429']));
    expect(Object.keys(op('POST', '/v1/instances/{instanceId}/rules').responses)).toEqual(expect.arrayContaining(['201', '409', '413', '415']));
    expect(Object.keys(op('PATCH', '/v1/instances/{instanceId}/rules/{ruleId}').responses)).toEqual(expect.arrayContaining(['409', '412']));
    const header = (o: Operation, status: number) => Object.keys(o.responses[String(status)]?.headers ?? {});
    expect(header(op('POST', '/v1/instances/{instanceId}/rules'), 201)).toEqual(['Location', 'ETag']);
    expect(header(op('GET', '/v1/instances/{instanceId}/rules/{ruleId}'), 200)).toEqual(['ETag']);
    expect(header(op('POST', '/v1/sessions'), 201)).toEqual(['Set-Cookie']);
    for (const route of ROUTES) {
      const o = op(route.method, route.path);
      if (o.responses['429']) expect(header(o, 429), route.operationId).toEqual(['Retry-After']);
      expect(Object.keys(o.responses).some((s) => s.startsWith('4')), route.operationId).toBe(true);
    }
  });

  it('generates the committed typed client (run `npm run generate:api-types` after changing the API)', async () => {
    expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await generateApiTypes());
  }, 60_000);
});
