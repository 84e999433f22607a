/** The structured logger as configured here (Powertools): line layout, levels, keys, redaction, errors and cycles. */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/observability/logger';
import { captureOutput } from '../support/logs';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

function lines(): Record<string, unknown>[] {
  return (output?.lines() ?? '')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('logger', () => {
  it('writes one JSON line per entry, base fields first, then keys and attributes', () => {
    output = captureOutput();
    const log = createLogger('INFO');
    log.appendKeys({ requestId: 'r-1' });
    log.info('hello', { ruleId: 'crecr-x' });
    const [line] = lines();
    expect(Object.keys(line ?? {})).toEqual(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'requestId', 'ruleId']);
    expect(line).toMatchObject({ level: 'INFO', message: 'hello', service: 'registry-events', requestId: 'r-1', ruleId: 'crecr-x' });
  });

  it('honours the level, and resetKeys drops appended keys', () => {
    output = captureOutput();
    const log = createLogger('warn');
    log.info('hidden');
    log.debug('hidden too');
    log.appendKeys({ requestId: 'r-2' });
    log.resetKeys();
    log.warn('shown');
    expect(lines().map((l) => [l.level, l.message, l.requestId])).toEqual([['WARN', 'shown', undefined]]);
    expect(createLogger('nonsense').createChild({ logLevel: 'SILENT' })).toBeDefined();
  });

  it('redacts secrets in attributes and messages', () => {
    output = captureOutput();
    createLogger('INFO').error('token rek_ak-0123456789abcdef_abcdefghijklmnopqrstuvwxyz0123456789abcdefg', {
      authorization: 'Bearer abc',
      nested: { secret: 's', webhook: 'https://oapi.dingtalk.com/robot/send?access_token=abcdef' },
    });
    const text = output.lines();
    expect(text).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(text).not.toContain('Bearer abc');
    expect(text).not.toContain('access_token=abcdef');
    expect(lines()[0]).toMatchObject({ level: 'ERROR', authorization: '[REDACTED]', nested: { secret: '[REDACTED]' } });
  });

  it('formats errors, bigints and cycles instead of failing or printing {}', () => {
    output = captureOutput();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const error = Object.assign(new Error('boom', { cause: new Error('root') }), { code: 'E_X' });
    createLogger('INFO').info('odd values', { error, big: 10n, cyclic });
    const [line] = lines();
    expect(line?.error).toMatchObject({ name: 'Error', message: 'boom', code: 'E_X', cause: { name: 'Error', message: 'root' } });
    expect(String((line?.error as { location?: string }).location)).toMatch(/:\d+$/);
    expect(line).toMatchObject({ big: '10', cyclic: { a: 1 } });
  });

  it('puts warnings and errors on stderr, the rest on stdout', () => {
    const written: string[] = [];
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string) => written.push(`out:${JSON.parse(chunk).level}`) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => written.push(`err:${JSON.parse(chunk).level}`) > 0) as typeof process.stderr.write;
    try {
      const log = createLogger('DEBUG');
      log.debug('d');
      log.info('i');
      log.warn('w');
      log.error('e');
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    expect(written).toEqual(['out:DEBUG', 'out:INFO', 'err:WARN', 'err:ERROR']);
  });
});
