/** The README's settings rows, rendered from shared/config.ts's SETTINGS (one declaration per setting). */
import { SETTINGS } from '../../shared/config';
import type { SettingName } from '../../shared/config';

const shown = (value: string) => (value === '' ? 'empty' : `\`${value}\``);

export function defaultCell(name: SettingName): string {
  const d = SETTINGS[name].default;
  return typeof d === 'string' ? shown(d) : `local: ${shown(d.local)}; deployed: ${shown(d.aws)}`;
}

/** `| variable | default | meaning |` rows, one per setting, in declaration order. */
export function settingsRows(): string[] {
  return (Object.keys(SETTINGS) as SettingName[]).map((name) => `| \`${name}\` | ${defaultCell(name)} | ${SETTINGS[name].doc} |`);
}

/** What serverless.yml's provider.environment must say for a setting, or null when it must not name it. */
export function serverlessValue(name: SettingName): string | null {
  const spec: { deployed?: string | null; default: string | { aws: string } } = SETTINGS[name];
  if (spec.deployed !== undefined) return spec.deployed;
  const d = spec.default;
  return `\${env:${name}, '${typeof d === 'string' ? d : d.aws}'}`;
}
