/** Property tests for the rule grammars: rule names, OCI path components, RE2 tag patterns, templates. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { tagMatcher, tagPatternProblem } from '../../shared/domain/rules';
import { ociNameSchema, ruleNameSchema, tagPatternSchema } from '../../shared/domain/ruleSchemas';
import { escapeMarkdown, renderTemplate, TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from '../../shared/domain/template';
import type { TemplateValues } from '../../shared/domain/template';

const RUNS = { seed: 42, numRuns: 400 };
const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const alnum = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const separator = fc.constantFrom('.', '_', '__', '-', '--', '---');

/** A reference generator of valid OCI path components: alnum (sep alnum)*. */
const validOci = fc
  .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 4 }))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''))
  .filter((s) => s.length <= 128);

describe('OCI names (namespaces, repositories)', () => {
  it('accepts every component built from the grammar', () => {
    fc.assert(
      fc.property(validOci, (name) => {
        expect(ociNameSchema.safeParse(name).success).toBe(true);
      }),
      RUNS,
    );
  });
  it('rejects leading/trailing separators, ___, ._, uppercase, empty and over-long names', () => {
    fc.assert(
      fc.property(validOci, separator, (name, sep) => {
        expect(ociNameSchema.safeParse(sep + name).success).toBe(false);
        expect(ociNameSchema.safeParse(name + sep).success).toBe(false);
        expect(ociNameSchema.safeParse(`${name}___x`).success).toBe(false);
        expect(ociNameSchema.safeParse(`${name}._x`).success).toBe(false);
        expect(ociNameSchema.safeParse(name.toUpperCase() + 'A').success).toBe(false);
      }),
      RUNS,
    );
    expect(ociNameSchema.safeParse('').success).toBe(false);
    expect(ociNameSchema.safeParse('a'.repeat(128)).success).toBe(true);
    expect(ociNameSchema.safeParse('a'.repeat(129)).success).toBe(false);
  });
  it('never accepts a string outside [a-z0-9._-]', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (s) => {
        if (ociNameSchema.safeParse(s).success) expect(s).toMatch(/^[a-z0-9._-]+$/);
      }),
      RUNS,
    );
  });
});

describe('rule names', () => {
  it('accepts 1–64 chars of [A-Za-z0-9_-] starting with a letter or digit, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (s) => {
        const expected = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(s);
        expect(ruleNameSchema.safeParse(s).success).toBe(expected);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.tuple(lower, fc.stringMatching(/^[A-Za-z0-9_-]{0,63}$/)), ([h, t]) => {
        expect(ruleNameSchema.safeParse(h + t).success).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('tag patterns (RE2, whole-tag match)', () => {
  // Patterns from a small regular grammar that RE2 and V8 read identically.
  const atom = fc.constantFrom('a', 'b', 'v', '1', '[0-9]', '[a-z]', '.', '\\.', '-');
  const piece = fc.tuple(atom, fc.constantFrom('', '*', '+', '?')).map(([a, q]) => a + q);
  const pattern = fc.array(piece, { minLength: 1, maxLength: 6 }).map((p) => p.join(''));
  const tag = fc.stringMatching(/^[a-z0-9.-]{0,10}$/);

  it('matches exactly when an anchored V8 RegExp does (whole tag, not a substring)', async () => {
    await fc.assert(
      fc.asyncProperty(pattern, tag, async (p, t) => {
        expect((await tagMatcher(p))(t)).toBe(new RegExp(`^(?:${p})$`).test(t));
      }),
      RUNS,
    );
  });

  it('the default .* (matched without loading the engine) agrees with RE2 on any tag', async () => {
    const any = await tagMatcher('.*');
    const re2 = RE2JS.compile('.*');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (t) => {
        expect(any(t)).toBe(re2.matches(t));
      }),
      RUNS,
    );
    expect(any('a\nb')).toBe(false);
  });

  it('refuses backreferences and lookaround; accepts within 256 chars only', async () => {
    for (const bad of ['(a)\\1', '(?=a)', '(?!a)', '(?<=a)b', '(?<!a)b', '[', 'a{1001}', '*a', '.**']) {
      expect((await tagPatternSchema.safeParseAsync(bad)).success, bad).toBe(false);
    }
    expect((await tagPatternSchema.safeParseAsync('a'.repeat(256))).success).toBe(true);
    expect((await tagPatternSchema.safeParseAsync('a'.repeat(257))).success).toBe(false);
    expect((await tagMatcher('v1'))('xv1')).toBe(false);
    expect((await tagMatcher('v1'))('v1x')).toBe(false);
  });
});

describe('tag pattern check without the engine', () => {
  // Plain patterns skip loading re2js; they must be exactly those RE2 accepts anyway.
  const plain = fc.stringMatching(/^(?:[A-Za-z0-9_.-]|\.\*){0,12}$/);
  it('accepts plain patterns (letters, digits, _ . - and .*) exactly as RE2 does', async () => {
    await fc.assert(
      fc.asyncProperty(plain, async (p) => {
        expect(await tagPatternProblem(p)).toBeUndefined();
        await expect(tagMatcher(p)).resolves.toBeTypeOf('function');
      }),
      RUNS,
    );
    expect(await tagPatternProblem('v[0-9]+')).toBeUndefined();
    expect(await tagPatternProblem('(?=a)')).toMatch(/Perl syntax/);
  });
});

describe('templates', () => {
  const values: TemplateValues = Object.fromEntries(TEMPLATE_PLACEHOLDERS.map((p) => [p, p])) as TemplateValues;

  it('knows the allowed placeholders and names unknown ones', () => {
    expect(unknownPlaceholders(TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(' '))).toEqual([]);
    expect(unknownPlaceholders('{{ tag }} {{user}} {{constructor}} {{__proto__}}')).toEqual(['user', 'constructor', '__proto__']);
  });

  it('escapes inserted values so they cannot add markdown structure', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const out = renderTemplate('tag: {{tag}}', { ...values, tag: value });
        expect(out).not.toMatch(/[\r\n]/);
        // every markdown-active character from the value arrives escaped
        expect(out.slice(5)).not.toMatch(/(^|[^\\])[`*_[\]()!|<~@]/);
      }),
      RUNS,
    );
    expect(escapeMarkdown('v1.2.0-rc')).toBe('v1.2.0-rc');
    expect(escapeMarkdown('# [x](http://evil) @all')).toBe('\\# \\[x\\]\\(http://evil\\) \\@all');
    expect(renderTemplate('{{ tag }}/{{repoName}}', { ...values, tag: '*v1*', repoName: 'api' })).toBe('\\*v1\\*/api');
  });
});

describe('ReDoS', () => {
  it('a catastrophic-backtracking pattern costs about what a benign one does on a long tag (linear time)', () => {
    const tag = `${'a'.repeat(120)}!`; // OCI tags are ≤ 128 chars; V8 would need ~2^120 steps for (a+)+b here
    const median = (pattern: string) => {
      const re = RE2JS.compile(pattern);
      const times: number[] = [];
      for (let round = 0; round < 15; round += 1) {
        const t = performance.now();
        for (let i = 0; i < 50; i += 1) re.matches(tag);
        times.push(performance.now() - t);
      }
      return times.sort((a, b) => a - b)[7] ?? 0;
    };
    median('a+b'); // warm up the engine
    const ratio = median('(a+)+b') / median('a+b');
    expect(ratio).toBeLessThan(10);
  });
});
