/** The README's reference tables are checked against the code that they describe. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, STATUS_FIELDS, statusesOf } from '../../shared/domain/eventTypes';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The rows of the markdown table whose header row starts with `| <first> |`. */
function tableRows(markdown: string, first: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} |`));
  if (start < 0) throw new Error(`no table starting with "${first}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
  }
  return rows;
}

describe('README', () => {
  it('lists every event type with its final statuses and its status field', () => {
    const rows = tableRows(README, 'event type');
    expect(rows.map((r) => r[0])).toEqual(EVENT_TYPES.map((t) => `\`${t}\``));
    for (const type of EVENT_TYPES) {
      const row = rows.find((r) => r[0] === `\`${type}\``) ?? [];
      expect(row[1], type).toBe(statusesOf(type).join(', '));
      expect(row[2]?.startsWith(`\`${STATUS_FIELDS[type]}\``), type).toBe(true);
    }
  });
});
