/**
 * What a rule's fields may hold, beyond their schemas: the tag-pattern engine (RE2
 * semantics, loaded on first need) and the size and format limits. Both rules.ts (the
 * read side) and ruleSchemas.ts (the request schemas) use these, so they live apart from
 * both and neither imports the other's values.
 */
export const TAG_PATTERN_MAX = 256;
export const TEMPLATE_MAX_BYTES = 4096;
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** RE2's `.` matches anything but a newline, so the default `.*` matches exactly these tags. */
const anyLineTag = (tag: string) => !tag.includes('\n');

/**
 * A whole-tag matcher for a user pattern with RE2 semantics (linear time; no
 * backreferences or lookaround). The engine (re2js) is loaded on first need, so an
 * instance whose rules keep the default `.*` never loads it.
 */
export async function tagMatcher(pattern: string): Promise<(tag: string) => boolean> {
  if (pattern === '.*') return anyLineTag;
  const { RE2JS } = await import('re2js');
  const re = RE2JS.compile(pattern);
  return (tag) => re.matches(tag);
}

/** Letters, digits, `_`, `.`, `-` and `.*` only: valid RE2 whatever their order. */
const PLAIN_PATTERN = /^(?:[A-Za-z0-9_.-]|\.\*)*$/;

/**
 * Why `pattern` is not valid RE2, or undefined when it is. For rule writes: the engine
 * (re2js, ~150 KB) is imported only when a pattern is not plain, so the rules function
 * does not load it for reads, deletes, tests or rules that keep the default `.*`.
 */
export async function tagPatternProblem(pattern: string): Promise<string | undefined> {
  if (PLAIN_PATTERN.test(pattern)) return undefined;
  const { RE2JS: engine } = await import('re2js');
  try {
    engine.compile(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : 'invalid';
  }
}
