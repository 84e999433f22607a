/**
 * One declaration per setting: serverless.yml's provider.environment and the README's
 * settings table are held to SETTINGS in shared/config.ts, and loadConfig reads every
 * setting into the Config field the table names.
 */
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { defaultOf, loadConfig, SETTINGS } from '../../shared/config';
import type { SettingName } from '../../shared/config';
import { serverlessValue, settingsRows } from '../support/settingsTable';

const NAMES = Object.keys(SETTINGS) as SettingName[];
/** Set in provider.environment for Node, Powertools and the mode switch, not settings of the service. */
const NOT_SETTINGS = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'STACK_MODE'];

const serverlessYml = readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8');
const environment = (load(serverlessYml) as { provider: { environment: Record<string, unknown> } }).provider.environment;
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function settingsTableRows(): string[] {
  const section = readme.slice(readme.indexOf('\n## Settings\n'));
  const lines = section.split('\n');
  const header = lines.findIndex((l) => l === '| variable | default | meaning |');
  const rows: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

describe('settings', () => {
  it("serverless.yml's provider.environment passes every deployed setting with its default, and nothing else", () => {
    for (const name of NAMES) {
      const expected = serverlessValue(name);
      if (expected === null) expect(environment[name], name).toBeUndefined();
      else expect(environment[name], name).toBe(expected);
    }
    const unknown = Object.keys(environment).filter((name) => !NOT_SETTINGS.includes(name) && !NAMES.includes(name as SettingName));
    expect(unknown).toEqual([]);
  });

  it("the README's settings table is the table's rows, plus serverless.yml's own deploy-time variables", () => {
    const rows = settingsTableRows();
    expect(rows.slice(0, NAMES.length)).toEqual(settingsRows());
    for (const extra of rows.slice(NAMES.length)) {
      const names = [...extra.split(' | ')[0]?.matchAll(/`([A-Z_]+)`/g) ?? []].map((m) => m[1] ?? '');
      expect(names.length, extra).toBeGreaterThan(0);
      for (const name of names) {
        expect(NAMES.includes(name as SettingName), name).toBe(false);
        expect(serverlessYml, name).toContain(`\${env:${name},`);
      }
    }
  });

  it('loadConfig reads each setting into its Config field, and its default when unset', () => {
    const base = { STACK_MODE: 'local', SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') };
    const config = loadConfig(base);
    expect(config.port).toBe(Number(defaultOf('PORT', 'local')));
    expect(config.logLevel).toBe(defaultOf('LOG_LEVEL', 'local'));
    expect(config.allowPrivateTargets).toBe(defaultOf('ALLOW_PRIVATE_TARGETS', 'local') === 'true');
    expect(loadConfig({ ...base, STACK_MODE: 'aws', ADMIN_API_KEY_PARAMETER: '/p' }).allowPrivateTargets).toBe(false);
    const fields = new Set(NAMES.map((name) => SETTINGS[name].key));
    expect(fields.size).toBe(NAMES.length);
    expect(Object.keys(config).sort()).toEqual([...fields, 'mode', 'adminKeyIsDefault', 'chat'].sort());
  });
});
